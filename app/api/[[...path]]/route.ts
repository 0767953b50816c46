// /api itself and every path under /api that no other route serves (/api/v2/…, /api/health/x, a
// typo of v1): a JSON 404, never the HTML page. /api/v1, /api/auth and /api/health have their own.
export { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } from "@/lib/api/not-found-routes";
