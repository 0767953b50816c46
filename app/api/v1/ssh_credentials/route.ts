import { credentialRoutes } from "@/lib/api/credentials";

const routes = credentialRoutes("ssh_credentials");

export const GET = routes.list;
export const POST = routes.create;
