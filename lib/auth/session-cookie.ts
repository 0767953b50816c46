import { cookies, headers } from "next/headers";
import type { NextResponse } from "next/server";
import { decode, encode } from "next-auth/jwt";
import { env } from "@/lib/env";
import { forwardedProto } from "@/lib/server/forwarded";

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
 * Re-issues this request's session under `version`, so the session that just
 * ended every other one (a password change) stays signed in. Server actions only.
 */
export async function reissueSession(version: number): Promise<void> {
  const https = isHttps(await headers());
  const name = `${https ? "__Secure-" : ""}authjs.session-token`;
  const jar = await cookies();
  const current = jar.get(name)?.value;
  if (!current || !env.AUTH_SECRET) return;
  const token = await decode({ token: current, secret: env.AUTH_SECRET, salt: name });
  if (!token?.sub) return;
  const value = await encode({ token: { ...token, sv: version }, secret: env.AUTH_SECRET, salt: name, maxAge: SESSION_MAX_AGE_SECONDS });
  jar.set(name, value, { ...cookieAttributes(name, https), maxAge: SESSION_MAX_AGE_SECONDS });
}
