import { botUserRoutes } from "@/lib/api/bot-users";

const routes = botUserRoutes("service_users");

export const GET = routes.list;
export const POST = routes.create;
