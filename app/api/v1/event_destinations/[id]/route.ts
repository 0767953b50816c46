import { eventDestinationRoutes } from "@/lib/api/event-streams";
import { apiMethodNotAllowed } from "@/lib/api/route";

const notAllowed = apiMethodNotAllowed(["GET", "PATCH", "DELETE"]);

export const GET = eventDestinationRoutes.get;
export const PATCH = eventDestinationRoutes.update;
export const DELETE = eventDestinationRoutes.remove;
export const POST = notAllowed;
export const PUT = notAllowed;
