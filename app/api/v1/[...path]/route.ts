// Every path under /api/v1 that no other route serves: a JSON 404, never the HTML page.
export { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } from "@/lib/api/not-found-routes";
