import { cookies, headers } from "next/headers";
import { PENDING_SIGN_IN_SECONDS } from "@/lib/domain/access/start-pending-sign-in";
import { isHttps } from "./session-cookie";

/**
 * The browser's half of a pending sign-in (a right password waiting for its
 * second factor): the random token, in an httpOnly, SameSite=Strict cookie
 * that lives five minutes. It is no session: only the second step reads it,
 * and the server keeps nothing of it but a hash bound to one person.
 */
const NAME = "botdesk-sign-in-pending";

const nameFor = (https: boolean) => (https ? `__Secure-${NAME}` : NAME);
const attributes = (https: boolean) => ({ path: "/", httpOnly: true, sameSite: "strict" as const, secure: https });

/** Sets the cookie (server actions and Auth.js's callback, where cookies may be set). */
export async function setPendingSignInCookie(token: string): Promise<void> {
  const https = isHttps(await headers());
  (await cookies()).set(nameFor(https), token, { ...attributes(https), maxAge: PENDING_SIGN_IN_SECONDS });
}

export async function clearPendingSignInCookie(): Promise<void> {
  const https = isHttps(await headers());
  (await cookies()).set(nameFor(https), "", { ...attributes(https), maxAge: 0 });
}

/** The pending sign-in's token from a request's Cookie header (what Auth.js hands the Credentials provider). */
export function pendingSignInTokenFrom(requestHeaders: Headers): string | null {
  const https = isHttps(requestHeaders);
  for (const part of (requestHeaders.get("cookie") ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === nameFor(https)) return decodeURIComponent(part.slice(at + 1).trim()) || null;
  }
  return null;
}

/** Whether this request carries a pending sign-in (for the code page; the token is checked by the sign-in itself). */
export async function hasPendingSignInCookie(): Promise<boolean> {
  const https = isHttps(await headers());
  return Boolean((await cookies()).get(nameFor(https))?.value);
}
