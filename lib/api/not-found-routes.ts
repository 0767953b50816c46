import { apiNotFound } from "@/lib/api/route";

/**
 * Every method of a catch-all route under /api or /agent: a JSON 404, never Next's HTML page.
 * Each catch-all's route.ts re-exports these (`export { GET, … } from`).
 */
export const GET = apiNotFound;
export const HEAD = apiNotFound;
export const POST = apiNotFound;
export const PUT = apiNotFound;
export const PATCH = apiNotFound;
export const DELETE = apiNotFound;
export const OPTIONS = apiNotFound;
