import { openApiJson } from "@/lib/api/openapi";
import { apiBaseUrl } from "@/lib/api/request";

/** The API's OpenAPI 3.1 document: public (it describes, it grants nothing), generated from the request schemas once per process. */
export function GET(request: Request): Response {
  return new Response(openApiJson(apiBaseUrl(request)), { headers: { "content-type": "application/json" } });
}
