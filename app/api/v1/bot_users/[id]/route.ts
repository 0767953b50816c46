import { botUserRoutes } from "@/lib/api/bot-users";
import { apiMethodNotAllowed } from "@/lib/api/route";

const notAllowed = apiMethodNotAllowed(["GET", "PATCH", "DELETE"]);
const routes = botUserRoutes("bot_users");

export const GET = routes.get;
export const PATCH = routes.update;
export const DELETE = routes.remove;
export const POST = notAllowed;
export const PUT = notAllowed;
