import { apiMethodNotAllowed } from "@/lib/api/route";
import { tunnelSessionRoutes } from "@/lib/api/tunnel-sessions";

const notAllowed = apiMethodNotAllowed(["GET"]);

export const GET = tunnelSessionRoutes.list;
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
