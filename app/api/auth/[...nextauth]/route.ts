import { NextResponse, type NextRequest } from "next/server";
import { getActor } from "@/lib/auth/actor";
import { handlers } from "@/lib/auth/config";
import { clearSessionCookies, isHttps } from "@/lib/auth/session-cookie";
import { signOutOutcome } from "@/lib/auth/sign-out-outcome";

/**
 * Auth.js's endpoints. The session endpoint answers through the same gate as
 * every page: a session the gate refuses (a bot, an ended session, a
 * deactivated person) is recorded, cleared, and answered as no session. A
 * `callbackUrl` Auth.js cannot read is answered 400 here (Auth.js answers 500).
 * Signing out ends the session server-side (the signOut event in
 * lib/auth/config.ts); if that fails, the answer is 503 and the cookie stays.
 */
async function throughGate(request: NextRequest, handler: (r: NextRequest) => Promise<Response>): Promise<Response> {
  const badCallback = await badCallbackUrl(request);
  if (badCallback !== null) {
    return NextResponse.json({ error: "invalid_callback_url", message: "callbackUrl must be a path on this site or an http(s) URL." }, { status: 400 });
  }
  // A callback-url cookie Auth.js cannot read (set by hand, or by another app on the host) is dropped:
  // Auth.js would refuse every request that carries it with a 500.
  for (const cookie of request.cookies.getAll()) {
    if (cookie.name.endsWith("authjs.callback-url") && !isHttpUrl(cookie.value, request.nextUrl.origin)) request.cookies.delete(cookie.name);
  }
  if (request.nextUrl.pathname.endsWith("/session")) {
    const admission = await getActor();
    if (admission && !admission.ok) {
      const response = NextResponse.json(null);
      clearSessionCookies(response, request.cookies.getAll(), isHttps(request.headers));
      return response;
    }
  }
  if (request.method === "POST" && request.nextUrl.pathname.endsWith("/signout")) {
    // Signing out ends the session on the server (Auth.js's signOut event); when that failed, the cookie stays.
    const outcome = { failed: false };
    const response = await signOutOutcome.run(outcome, () => handler(request));
    if (outcome.failed) {
      return new NextResponse("Botdesk could not end your session (its database is unreachable), so you are still signed in. Try again in a moment.", {
        status: 503,
        headers: { "Content-Type": "text/plain; charset=utf-8", "Retry-After": "5" },
      });
    }
    return response;
  }
  return handler(request);
}

/** Auth.js's own check of a callback URL (an absolute http(s) URL, or a path from "/"); it answers any other with a 500. */
function isHttpUrl(value: string, base: string): boolean {
  if (value === "") return true; // Auth.js ignores an empty one
  try {
    return /^https?:$/.test(new URL(value, value.startsWith("/") ? base : undefined).protocol);
  } catch {
    return false;
  }
}

/** The first `callbackUrl` in the query or a form body that Auth.js would refuse, else null. */
async function badCallbackUrl(request: NextRequest): Promise<string | null> {
  const values = request.nextUrl.searchParams.getAll("callbackUrl");
  if (request.method === "POST" && request.headers.get("content-type")?.includes("application/x-www-form-urlencoded")) {
    const form = new URLSearchParams(await request.clone().text());
    values.push(...form.getAll("callbackUrl"));
  }
  return values.find((v) => !isHttpUrl(v, request.nextUrl.origin)) ?? null;
}

export const GET = (request: NextRequest) => throughGate(request, handlers.GET);
export const POST = (request: NextRequest) => throughGate(request, handlers.POST);
