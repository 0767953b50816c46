import { NextResponse, type NextRequest } from "next/server";
import { sessionStillAdmitted } from "@/lib/auth/actor";
import { clearSessionCookies, isHttps } from "@/lib/auth/session-cookie";

const REASONS = new Set(["bot", "deactivated", "no_account", "invalid", "ended"]);

/** A redirect with a relative Location: right at whatever host and scheme the browser used. */
function redirectTo(location: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { Location: location } });
}

/**
 * Ends a session the server refused: clears Auth.js's cookies with the
 * attributes they were set with and shows why on the sign-in page. A session
 * that is still good is left alone, so a link from another site cannot sign
 * anyone out (signing out is a POST, with Next's origin check).
 */
export async function GET(request: NextRequest) {
  if (await sessionStillAdmitted()) return redirectTo("/");
  const reason = request.nextUrl.searchParams.get("reason") ?? "";
  const response = redirectTo(REASONS.has(reason) ? `/sign-in?error=${reason}` : "/sign-in");
  clearSessionCookies(response, request.cookies.getAll(), isHttps(request.headers));
  return response;
}
