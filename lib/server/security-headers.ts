/**
 * The Content-Security-Policy for a page: scripts only from this origin and
 * with this response's nonce (Next.js puts it on its own scripts when it finds
 * it in the request's CSP header), forms only to this origin and the sign-in
 * providers, never framed. Styles may be inline: React renders style
 * attributes, and a style cannot run code.
 */
export function contentSecurityPolicy(opts: { nonce: string; https: boolean; dev: boolean; formTargets: string[] }): string {
  const scriptSrc = ["'self'", `'nonce-${opts.nonce}'`, "'strict-dynamic'", ...(opts.dev ? ["'unsafe-eval'"] : [])];
  return [
    "default-src 'self'",
    `script-src ${scriptSrc.join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${opts.dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    `form-action ${["'self'", ...opts.formTargets].join(" ")}`,
    "frame-ancestors 'none'",
    ...(opts.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** HSTS, sent only when the request came over HTTPS (a plain-HTTP install must stay reachable). */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000";

/**
 * Whether a state-changing request comes from a page of another site: its
 * Origin's host differs from the host it was sent to (x-forwarded-host first,
 * as Next.js compares for server actions). No Origin is let through, as Next
 * does: only browsers send it, and a script without one has no victim's cookies.
 */
export function isForeignOrigin(method: string, requestHeaders: Headers): boolean {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return false;
  const origin = requestHeaders.get("origin");
  if (origin === null) return false;
  if (origin === "null") return true;
  const host = requestHeaders.get("x-forwarded-host")?.split(",")[0]?.trim() || requestHeaders.get("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}
