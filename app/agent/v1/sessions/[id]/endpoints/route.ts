import { agentMethodNotAllowed } from "@/lib/agent/route";
import { agentRoutes } from "@/lib/agent/routes";

export const POST = agentRoutes.bind;

const notAllowed = agentMethodNotAllowed(["POST"]);
export const GET = notAllowed;
export const PUT = notAllowed;
export const PATCH = notAllowed;
export const DELETE = notAllowed;
