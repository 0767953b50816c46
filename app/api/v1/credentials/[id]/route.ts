import { credentialRoutes } from "@/lib/api/credentials";

const routes = credentialRoutes("credentials");

export const GET = routes.get;
export const PATCH = routes.update;
export const DELETE = routes.remove;
