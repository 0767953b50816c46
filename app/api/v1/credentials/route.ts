import { credentialRoutes } from "@/lib/api/credentials";
import { apiMethodNotAllowed } from "@/lib/api/route";

const notAllowed = apiMethodNotAllowed(["GET", "POST"]);
const routes = credentialRoutes("credentials");

export const GET = routes.list;
export const POST = routes.create;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
