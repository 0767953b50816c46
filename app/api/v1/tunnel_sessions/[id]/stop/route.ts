import { apiMethodNotAllowed } from "@/lib/api/route";
import { tunnelSessionRoutes } from "@/lib/api/tunnel-sessions";

const notAllowed = apiMethodNotAllowed(["POST"]);

export const GET = notAllowed;
export const POST = tunnelSessionRoutes.stop;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
