import { apiNotFound } from "@/lib/api/route";

// /api itself and every path under /api that no other route serves (/api/v2/…, /api/health/x, a
// typo of v1): a JSON 404, never the HTML page. /api/v1, /api/auth and /api/health have their own.
export const GET = apiNotFound;
export const HEAD = apiNotFound;
export const POST = apiNotFound;
export const PUT = apiNotFound;
export const PATCH = apiNotFound;
export const DELETE = apiNotFound;
export const OPTIONS = apiNotFound;
