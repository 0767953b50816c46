// /agent, /agent/v1 itself and every path under /agent outside /agent/v1/…: a JSON 404, never the
// HTML page (/agent/v1/… has its own catch-all).
export { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } from "@/lib/api/not-found-routes";
