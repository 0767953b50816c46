import type { RequestContext } from "./types";

/**
 * The client's address and agent, for events and rate limits. Behind a reverse
 * proxy the first X-Forwarded-For entry is the client; set your proxy to
 * overwrite that header, since a client can send its own.
 */
export function requestContextFrom(headers: Headers): RequestContext {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  const ip = forwarded || headers.get("x-real-ip")?.trim() || null;
  return { ip: ip ? ip.slice(0, 64) : null, userAgent: headers.get("user-agent")?.slice(0, 512) ?? null };
}
