import { apiMethodNotAllowed } from "@/lib/api/route";
import { agentRoutes } from "@/lib/agent/routes";

export const POST = agentRoutes.bind;

const notAllowed = apiMethodNotAllowed(["POST"]);
export const GET = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
