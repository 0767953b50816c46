import { botUserRoutes } from "@/lib/api/bot-users";

const routes = botUserRoutes("bot_users");

export const GET = routes.get;
export const PATCH = routes.update;
export const DELETE = routes.remove;
