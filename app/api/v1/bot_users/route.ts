import { botUserRoutes } from "@/lib/api/bot-users";
import { apiMethodNotAllowed } from "@/lib/api/route";

const notAllowed = apiMethodNotAllowed(["GET", "POST"]);
const routes = botUserRoutes("bot_users");

export const GET = routes.list;
export const POST = routes.create;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
