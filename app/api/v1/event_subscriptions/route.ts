import { eventSubscriptionRoutes } from "@/lib/api/event-streams";
import { apiMethodNotAllowed } from "@/lib/api/route";

const notAllowed = apiMethodNotAllowed(["GET", "POST"]);

export const GET = eventSubscriptionRoutes.list;
export const POST = eventSubscriptionRoutes.create;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
