import { credentialRoutes } from "@/lib/api/credentials";
import { apiMethodNotAllowed } from "@/lib/api/route";

const notAllowed = apiMethodNotAllowed(["GET", "PATCH", "DELETE"]);
const routes = credentialRoutes("api_keys");

export const GET = routes.get;
export const PATCH = routes.update;
export const DELETE = routes.remove;
export const POST = notAllowed;
export const PUT = notAllowed;
