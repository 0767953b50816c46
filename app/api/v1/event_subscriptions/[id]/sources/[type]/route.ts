import { eventSubscriptionRoutes } from "@/lib/api/event-streams";
import { apiMethodNotAllowed } from "@/lib/api/route";

const notAllowed = apiMethodNotAllowed(["GET", "PATCH", "DELETE"]);

export const GET = eventSubscriptionRoutes.getSource;
export const PATCH = eventSubscriptionRoutes.updateSource;
export const DELETE = eventSubscriptionRoutes.removeSource;
export const POST = notAllowed;
export const PUT = notAllowed;
