import { openApiDocument } from "@/lib/api/openapi";
import { apiBaseUrl } from "@/lib/api/request";

/** The API's OpenAPI 3.1 document: public (it describes, it grants nothing), generated from the request schemas. */
export function GET(request: Request): Response {
  return Response.json(openApiDocument(apiBaseUrl(request)));
}
