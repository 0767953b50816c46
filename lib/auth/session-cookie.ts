import { cookies, headers } from "next/headers";
import type { NextResponse } from "next/server";
import { decode, encode } from "next-auth/jwt";
import { env } from "@/lib/env";
import { forwardedProto } from "@/lib/server/forwarded";
import type { SignInMethod } from "@/lib/domain/access/types";

/** Auth.js's session lifetime; the re-issued cookie keeps it. */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

export const ACCOUNT_COOKIE = "botdesk-account";

/**
 * Whether the browser reached us over HTTPS (directly or through a TLS proxy),
 * as Auth.js decides it: then its cookies are `__Secure-` prefixed and Secure,
 * and ours must be too.
 */
export function isHttps(requestHeaders: Headers): boolean {
  return forwardedProto(requestHeaders) === "https";
}

const isSessionCookie = (name: string) => /(^|\.|-)authjs\.session-token(\.\d+)?$/.test(name);

/** The attributes a cookie of ours or Auth.js's was set with; a browser only clears a cookie when they match. */
export function cookieAttributes(name: string, https: boolean) {
  const secure = https || name.startsWith("__Secure-") || name.startsWith("__Host-");
  return { path: "/", httpOnly: true, sameSite: "lax" as const, secure };
}

/** Clears the session (every chunk) and the chosen-account cookie on `response`. */
export function clearSessionCookies(response: NextResponse, present: { name: string }[], https: boolean): void {
  for (const { name } of present) {
    if (isSessionCookie(name) || name === ACCOUNT_COOKIE) {
      response.cookies.set(name, "", { ...cookieAttributes(name, https), maxAge: 0, expires: new Date(0) });
    }
  }
}

/**
 * Clears the session cookies right in this response, where that is allowed
 * (server actions, route handlers); false where it is not (rendering a page).
 * A server action that redirected to /session/end instead would have Next.js
 * fetch that route internally with the old cookie and follow it to the sign-in
 * page, refusing (and recording) the session a second time.
 */
export async function clearSessionCookiesHere(): Promise<boolean> {
  const jar = await cookies();
  const https = isHttps(await headers());
  try {
    for (const { name } of jar.getAll()) {
      if (isSessionCookie(name) || name === ACCOUNT_COOKIE) jar.set(name, "", { ...cookieAttributes(name, https), maxAge: 0 });
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * The name of Auth.js's session cookie for this request, decided as Auth.js decides it when it
 * reads or writes the session (`createActionURL`, then `useSecureCookies`): secure (`__Secure-`)
 * when AUTH_URL is https, or, without AUTH_URL, when the request came over HTTPS (X-Forwarded-Proto,
 * which Next.js sets to the scheme it served itself; Auth.js assumes https without one). AUTH_URL
 * wins over the header: behind a proxy that does not say its scheme, Auth.js still writes the
 * `__Secure-` cookie when AUTH_URL says https, and this must read that one.
 */
export function sessionCookieName(requestHeaders: Headers, authUrl = env.AUTH_URL): string {
  const scheme = authUrl ? new URL(authUrl).protocol.replace(":", "") : (forwardedProto(requestHeaders) ?? "https");
  return `${scheme === "https" ? "__Secure-" : ""}authjs.session-token`;
}

/** The session a request presents: whom it signed in, under which session version, and how. */
export interface PresentedSession {
  subject: string;
  version: number;
  method: SignInMethod | null;
}

/**
 * The session this request presents, decoded from Auth.js's session cookie (named by
 * sessionCookieName; every chunk, as Auth.js writes a long one) as Auth.js's own `auth()` reads it,
 * or null: no cookie, a cookie that does not decode with this server's secret, or an expired one.
 * `auth()` answers the same through Auth.js's whole session endpoint, run in process: a Request, the
 * callbacks, a Response, and the token encoded again each time, for a cookie a page cannot set
 * anyway (about 2 ms of CPU on every dashboard page; bench/README.md, "The dashboard's floor").
 */
export async function presentedSession(
  requestHeaders: Headers,
  jar: { getAll(): { name: string; value: string }[] },
  secret = env.AUTH_SECRET,
): Promise<PresentedSession | null> {
  const name = sessionCookieName(requestHeaders);
  const parts = jar
    .getAll()
    .flatMap((c) => (c.name === name ? [{ index: -1, value: c.value }] : c.name.startsWith(`${name}.`) && /^\d+$/.test(c.name.slice(name.length + 1)) ? [{ index: Number(c.name.slice(name.length + 1)), value: c.value }] : []));
  if (parts.length === 0 || !secret) return null;
  const whole = parts.some((p) => p.index === -1) ? parts.find((p) => p.index === -1)!.value : parts.sort((a, b) => a.index - b.index).map((p) => p.value).join("");
  try {
    const token = await decode({ token: whole, secret, salt: name });
    if (!token?.sub) return null;
    return { subject: token.sub, version: token.sv ?? 0, method: token.via ?? null };
  } catch {
    return null; // as auth(): a token that does not decode (another secret, tampered, expired) is no session
  }
}

/**
 * Re-issues this request's session under `version`, so the session that just
 * ended every other one (a password change) stays signed in. Server actions only.
 */
export async function reissueSession(version: number): Promise<void> {
  const requestHeaders = await headers();
  const https = isHttps(requestHeaders);
  const name = sessionCookieName(requestHeaders);
  const jar = await cookies();
  const current = jar.get(name)?.value;
  if (!current || !env.AUTH_SECRET) return;
  const token = await decode({ token: current, secret: env.AUTH_SECRET, salt: name });
  if (!token?.sub) return;
  const value = await encode({ token: { ...token, sv: version }, secret: env.AUTH_SECRET, salt: name, maxAge: SESSION_MAX_AGE_SECONDS });
  jar.set(name, value, { ...cookieAttributes(name, https), maxAge: SESSION_MAX_AGE_SECONDS });
}
