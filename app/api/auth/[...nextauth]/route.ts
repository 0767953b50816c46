import { NextResponse, type NextRequest } from "next/server";
import { getActor } from "@/lib/auth/actor";
import { handlers } from "@/lib/auth/config";
import { clearSessionCookies, isHttps } from "@/lib/auth/session-cookie";

/**
 * Auth.js's endpoints. The session endpoint answers through the same gate as
 * every page: a session the gate refuses (a bot, an ended session, a
 * deactivated person) is recorded, cleared, and answered as no session.
 */
async function throughGate(request: NextRequest, handler: (r: NextRequest) => Promise<Response>): Promise<Response> {
  if (request.nextUrl.pathname.endsWith("/session")) {
    const admission = await getActor();
    if (admission && !admission.ok) {
      const response = NextResponse.json(null);
      clearSessionCookies(response, request.cookies.getAll(), isHttps(request.headers));
      return response;
    }
  }
  return handler(request);
}

export const GET = (request: NextRequest) => throughGate(request, handlers.GET);
export const POST = (request: NextRequest) => throughGate(request, handlers.POST);
