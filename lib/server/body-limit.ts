import { ApiError, errorResponse } from "@/lib/api/errors";
import { API_BODY_MAX_BYTES } from "@/lib/api/request";

/**
 * The most a request body may carry: server actions, Auth.js's forms, anything
 * that is not the API. 1 MB, not 1 MiB: React's decoder of server action
 * arguments throws (a 500) when the strings and slots of an argument's arrays
 * add up to more than 1,000,000, which a body of at most 1,000,000 bytes cannot.
 */
export const BODY_MAX_BYTES = 1_000_000;

/** The REST API, and /agent (no routes: a JSON 404 saying where agents go), whose every answer is JSON in ngrok's error shape. */
export const isApiPath = (pathname: string) => /^\/(api\/v1|agent)(\/|$)/.test(pathname);

/** The body limit for a path: the REST API (and /agent) take 64 KiB (lib/api/request.ts), everything else 1 MB. */
export function bodyLimitFor(pathname: string): number {
  return isApiPath(pathname) ? API_BODY_MAX_BYTES : BODY_MAX_BYTES;
}

/**
 * Whether a body is over `limit`: from Content-Length when the client sent
 * one (nothing read); otherwise (chunked) by counting the stream, stopping as
 * soon as it passes the limit.
 */
export async function bodyIsOver(headers: Headers, body: ReadableStream<Uint8Array> | null, limit: number): Promise<boolean> {
  const length = headers.get("content-length");
  if (length !== null && /^\d+$/.test(length.trim())) return Number(length) > limit;
  if (!body) return false;
  // Next hands the proxy a copy of the body (at most experimental.proxyClientMaxBodySize, next.config.ts):
  // reading it leaves the route's own copy whole. Past the limit, the rest is left unread.
  const reader = body.getReader();
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return false;
    size += value.byteLength;
    if (size > limit) return true;
  }
}

/**
 * The 413 for a body over its limit, in the shape its client reads: the APIs'
 * JSON error (ngrok's shape, ERR_BOTDESK_413), else plain text, which Next's
 * client shows as the failed server action's error message.
 */
export function bodyTooLarge(pathname: string, operationId: string): Response {
  const limit = bodyLimitFor(pathname);
  const msg = `The request body is larger than ${limit === BODY_MAX_BYTES ? "1 MB" : `${limit / 1024} KiB`}.`;
  if (isApiPath(pathname)) {
    return errorResponse(new ApiError("ERR_BOTDESK_413", msg), operationId);
  }
  return new Response(msg, { status: 413, headers: { "Content-Type": "text/plain" } });
}
