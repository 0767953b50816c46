import { botUserRoutes } from "@/lib/api/bot-users";

const routes = botUserRoutes("bot_users");

export const GET = routes.list;
export const POST = routes.create;
