import { credentialRoutes } from "@/lib/api/credentials";

const routes = credentialRoutes("api_keys");

export const GET = routes.list;
export const POST = routes.create;
