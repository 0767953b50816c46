import { credentialRoutes } from "@/lib/api/credentials";

const routes = credentialRoutes("credentials");

export const GET = routes.list;
export const POST = routes.create;
