import { agentNotFound } from "@/lib/agent/route";

// Every path under /agent/v1 that no other route serves: a JSON 404, never the HTML page.
export const GET = agentNotFound;
export const HEAD = agentNotFound;
export const POST = agentNotFound;
export const PUT = agentNotFound;
export const PATCH = agentNotFound;
export const DELETE = agentNotFound;
export const OPTIONS = agentNotFound;
