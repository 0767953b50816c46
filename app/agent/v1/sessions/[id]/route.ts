import { apiMethodNotAllowed } from "@/lib/api/route";
import { agentRoutes } from "@/lib/agent/routes";

export const GET = agentRoutes.get;
export const DELETE = agentRoutes.end;

const notAllowed = apiMethodNotAllowed(["GET", "DELETE"]);
export const POST = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
