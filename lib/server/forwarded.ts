/**
 * How the client reached us through a TLS-terminating proxy, read in ONE place
 * for everything that depends on it: whether cookies are Secure (isHttps, as
 * Auth.js decides it) and the absolute URLs the API answers with. No imports, so proxy.ts and the cookie helpers can use it.
 */

/** The scheme the first X-Forwarded-Proto entry names, when it is http or https; null otherwise. */
export function forwardedProto(headers: Headers): "http" | "https" | null {
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  return proto === "https" || proto === "http" ? proto : null;
}

/**
 * The origin the client reached (`https://botdesk.example.com`): the forwarded
 * scheme, else the request URL's; the first X-Forwarded-Host (as Next.js reads
 * it), else Host, else the URL's host.
 */
export function externalOrigin(headers: Headers, url: URL | null = null): string {
  const proto = forwardedProto(headers) ?? url?.protocol.replace(":", "") ?? "http";
  const host = headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host") || url?.host || "localhost";
  return `${proto}://${host}`;
}
