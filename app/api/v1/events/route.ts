import { apiMethodNotAllowed } from "@/lib/api/route";
import { eventRoutes } from "@/lib/api/events";

const notAllowed = apiMethodNotAllowed(["GET"]);

export const GET = eventRoutes.list;
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
