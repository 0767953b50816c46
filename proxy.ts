import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_ID_HEADER } from "@/lib/server/request-id";
import { isHttps } from "@/lib/auth/session-cookie";
import { env } from "@/lib/env";
import { ApiError, errorResponse } from "@/lib/api/errors";
import { bodyIsOver, bodyLimitFor, bodyTooLarge, isApiPath } from "@/lib/server/body-limit";
import { contentSecurityPolicy, isForeignOrigin, STRICT_TRANSPORT_SECURITY } from "@/lib/server/security-headers";
import { hasMalformedEncoding, isJsonPath, malformedApiPath, NOT_FOUND_REWRITE } from "@/lib/server/malformed-path";

// Where a sign-in form may send the browser: the external providers that are on.
const FORM_TARGETS = [
  ...(env.AUTH_OIDC_ISSUER ? [new URL(env.AUTH_OIDC_ISSUER).origin] : []),
  ...(env.AUTH_GITHUB_ID ? ["https://github.com"] : []),
];

/**
 * Runs before every page, action and route: refuses cross-site writes with 403
 * (Next.js would answer a foreign server action with a 500), tags the request
 * with an id (so one request records one refusal), answers a body over its
 * limit with 413 (1 MB; the APIs 64 KiB) before any handler or server action
 * reads it (Next itself answers an oversized server action with a 500), and
 * sets the CSP with a fresh nonce, plus HSTS over HTTPS. A path whose
 * percent-encoding does not decode (`/users/bots/%FF`) is a page that does not
 * exist: the APIs' JSON 404, or the app's not-found page (Next.js would answer 500).
 */
export async function proxy(request: NextRequest) {
  const https = isHttps(request.headers);
  const { pathname } = request.nextUrl;
  // Auth.js's own endpoints check their CSRF token; OIDC may POST its callback from the provider.
  if (!pathname.startsWith("/api/auth/") && isForeignOrigin(request.method, request.headers)) {
    // The APIs answer in their one error shape, also here.
    if (isApiPath(pathname)) return errorResponse(new ApiError("ERR_BOTDESK_403", "A page of another site may not send requests here (its Origin is not this server's)."), crypto.randomUUID());
    return new NextResponse("Cross-site request refused.", { status: 403, headers: { "Content-Type": "text/plain" } });
  }
  if (request.method !== "GET" && request.method !== "HEAD" && (await bodyIsOver(request.headers, request.body, bodyLimitFor(pathname)))) {
    return bodyTooLarge(pathname, crypto.randomUUID());
  }
  const malformed = hasMalformedEncoding(pathname);
  if (malformed && isJsonPath(pathname)) return malformedApiPath(request.method, pathname, crypto.randomUUID());
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const csp = contentSecurityPolicy({ nonce, https, dev: env.NODE_ENV === "development", formTargets: FORM_TARGETS });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(REQUEST_ID_HEADER, crypto.randomUUID());
  requestHeaders.set("Content-Security-Policy", csp);
  const response = malformed
    ? NextResponse.rewrite(new URL(NOT_FOUND_REWRITE, request.url), { request: { headers: requestHeaders } })
    : NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", csp);
  if (https) response.headers.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  return response;
}

export const config = {
  // Not for build output and static files: they carry no session and run no script of ours.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|icon.svg).*)"],
};
