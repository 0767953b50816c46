import { eventSubscriptionRoutes } from "@/lib/api/event-streams";
import { apiMethodNotAllowed } from "@/lib/api/route";

const notAllowed = apiMethodNotAllowed(["GET", "PATCH", "DELETE"]);

export const GET = eventSubscriptionRoutes.get;
export const PATCH = eventSubscriptionRoutes.update;
export const DELETE = eventSubscriptionRoutes.remove;
export const POST = notAllowed;
export const PUT = notAllowed;
