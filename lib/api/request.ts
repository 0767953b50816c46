import type { z } from "zod";
import { fieldErrorsOf } from "@/lib/domain/result";
import { listQuerySchema } from "@/lib/validation/api";
import { ID_PATTERN } from "@/lib/validation/text";
import { externalOrigin } from "@/lib/server/forwarded";
import { ApiError } from "./errors";
import { apiErrorOf } from "./from-result";
import type { KeysetQuery } from "@/lib/domain/keyset";

/** Bodies larger than this are refused before parsing (a bot's name, a description, an SSH key and an ACL fit easily). */
export const API_BODY_MAX_BYTES = 64 * 1024;
export const API_DEFAULT_LIMIT = 100;


/**
 * The absolute URL of the API root for this request, as the client reached it:
 * the scheme a TLS-terminating proxy reports (X-Forwarded-Proto), and the host
 * the client sent (X-Forwarded-Host first, as Next.js reads it).
 */
export function apiBaseUrl(request: Request): string {
  return apiBaseUrlFrom(request.headers, new URL(request.url));
}

/** The same from a request's headers alone (a server component's `headers()`). */
export function apiBaseUrlFrom(headers: Headers, url: URL | null = null): string {
  return `${externalOrigin(headers, url)}/api/v1`;
}

/** The JSON object sent as the body; an empty body is `{}`. */
export async function readJsonBody(request: Request): Promise<Record<string, unknown>> {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > API_BODY_MAX_BYTES) throw new ApiError("ERR_BOTDESK_413", `The request body is larger than ${API_BODY_MAX_BYTES} bytes.`);
  const text = await request.text();
  if (Buffer.byteLength(text) > API_BODY_MAX_BYTES) throw new ApiError("ERR_BOTDESK_413", `The request body is larger than ${API_BODY_MAX_BYTES} bytes.`);
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError("ERR_BOTDESK_400", "The request body is not valid JSON.", { field: "body" });
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ApiError("ERR_BOTDESK_400", "The request body must be a JSON object.", { field: "body" });
  }
  return value as Record<string, unknown>;
}

/** Refuses fields this resource does not have, naming them (a typo must not be silently ignored). */
export function refuseFields(body: Record<string, unknown>, fields: string[], why: string): void {
  for (const field of fields) {
    if (body[field] !== undefined) throw new ApiError("ERR_BOTDESK_400", `${field}: ${why}`, { field });
  }
}

/**
 * Validates a body or query with its API schema (lib/validation/api.ts, which
 * the OpenAPI document is generated from); the first invalid field is named.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw apiErrorOf({ code: "invalid_input", message: "Check the request.", fieldErrors: fieldErrorsOf(parsed.error) });
  return parsed.data;
}

/**
 * `before_id` and `limit` from a list's query string. `beforeId` is read too:
 * ngrok's own JavaScript client (@ngrok/ngrok-api) sends its paging cursor
 * under that name.
 */
export function keysetQuery(url: URL): KeysetQuery {
  const param = (name: string) => url.searchParams.get(name) || undefined;
  const query = validate(listQuerySchema, { before_id: param("before_id") ?? param("beforeId"), limit: param("limit") });
  return { beforeId: query.before_id ?? null, limit: query.limit ?? API_DEFAULT_LIMIT };
}

/** A list's answer: `{<plural>: [...], uri, next_page_uri}`, newest first; next_page_uri null on the last page. */
export function listBody<T extends { id: string }>(
  key: string,
  items: T[],
  page: { hasMore: boolean; limit: number },
  base: string,
  path: string,
  url: URL,
): Record<string, unknown> {
  const last = items[items.length - 1];
  const next = page.hasMore && last ? `${base}${path}?${new URLSearchParams({ before_id: last.id, limit: String(page.limit) })}` : null;
  return { [key]: items, uri: `${base}${path}${url.search}`, next_page_uri: next };
}

/** Path ids that are not even ids answer exactly like unknown ones. */
export function pathId(id: string | undefined): string {
  if (!id || id.length > 64 || !ID_PATTERN.test(id)) throw new ApiError("ERR_BOTDESK_404", "Not found.");
  return id;
}
