import { eventSubscriptionRoutes } from "@/lib/api/event-streams";
import { apiMethodNotAllowed } from "@/lib/api/route";

const notAllowed = apiMethodNotAllowed(["GET", "POST"]);

export const GET = eventSubscriptionRoutes.listSources;
export const POST = eventSubscriptionRoutes.addSource;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
