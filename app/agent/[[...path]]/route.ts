import { apiNotFound } from "@/lib/api/route";

// /agent, /agent/v1 itself and every path under /agent outside /agent/v1/…: a JSON 404, never the
// HTML page (/agent/v1/… has its own catch-all).
export const GET = apiNotFound;
export const HEAD = apiNotFound;
export const POST = apiNotFound;
export const PUT = apiNotFound;
export const PATCH = apiNotFound;
export const DELETE = apiNotFound;
export const OPTIONS = apiNotFound;
