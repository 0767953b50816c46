import { apiNotFound } from "@/lib/api/route";

// Every path under /agent/v1 that no other route serves: a JSON 404, never the HTML page.
export const GET = apiNotFound;
export const HEAD = apiNotFound;
export const POST = apiNotFound;
export const PUT = apiNotFound;
export const PATCH = apiNotFound;
export const DELETE = apiNotFound;
export const OPTIONS = apiNotFound;
