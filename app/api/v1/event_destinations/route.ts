import { eventDestinationRoutes } from "@/lib/api/event-streams";
import { apiMethodNotAllowed } from "@/lib/api/route";

const notAllowed = apiMethodNotAllowed(["GET", "POST"]);

export const GET = eventDestinationRoutes.list;
export const POST = eventDestinationRoutes.create;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
