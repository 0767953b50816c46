import { NextResponse, type NextRequest } from "next/server";
import { ACCOUNT_COOKIE } from "@/lib/auth/actor";

const REASONS = new Set(["bot", "deactivated", "no_account", "invalid"]);

/** Ends a session the server refused: clears Auth.js's cookies and shows why on the sign-in page. */
export function GET(request: NextRequest) {
  const reason = request.nextUrl.searchParams.get("reason") ?? "";
  const target = new URL("/sign-in", request.nextUrl);
  if (REASONS.has(reason)) target.searchParams.set("error", reason);
  const response = NextResponse.redirect(target, 303);
  for (const cookie of request.cookies.getAll()) {
    if (cookie.name.includes("authjs.session-token") || cookie.name === ACCOUNT_COOKIE) response.cookies.delete(cookie.name);
  }
  return response;
}
