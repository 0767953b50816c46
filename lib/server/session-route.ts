import { getActor, mustFinishSigningIn } from "@/lib/auth/actor";
import { DATABASE_RETRY_AFTER_SECONDS } from "@/lib/api/errors";
import type { PersonActor, RequestContext } from "@/lib/domain/access/types";
import { isDatabaseUnavailable } from "@/lib/server/database-unavailable";
import { log } from "@/lib/server/log";
import { requestContextFrom } from "@/lib/server/request-context";
import { REQUEST_ID_HEADER } from "@/lib/server/request-id";

/** Why a cookie-authenticated route refused: the wrapper's own codes, then the routes'. */
export type SessionRouteCode =
  | "unauthenticated"
  | "must_change_password"
  | "must_enrol_two_factor"
  | "database_unavailable"
  | "internal"
  | "invalid_input"
  | "unsupported_media_type"
  | "forbidden";

/**
 * The one JSON answer of every cookie-authenticated route handler that is not
 * a success: `{error, code, field?}` (`error` says what to do, `code` is for
 * programs, `field` names the input at fault), never cached.
 */
export function sessionRouteError(status: number, code: SessionRouteCode, error: string, field?: string): Response {
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (status === 503) headers["Retry-After"] = String(DATABASE_RETRY_AFTER_SECONDS);
  return Response.json({ error, code, ...(field !== undefined ? { field } : {}) }, { status, headers });
}

/** What a handler gets: the signed-in person (fresh from the database), the request and where it came from. */
export interface SessionCall {
  request: Request;
  url: URL;
  actor: PersonActor;
  ctx: RequestContext;
}

/**
 * THE wrapper of every route handler that a signed-in person's browser (or a
 * program holding their session cookie) calls, the counterpart of
 * performAction (server actions) and apiRoute (API keys): the session through
 * the sign-in chokepoint (getActor, once per request), then the handler. The
 * same answers everywhere: no session, or one the gate refuses, 401
 * `unauthenticated`; a person who must choose a new password first 403
 * `must_change_password`, or set up two-factor sign-in 403 `must_enrol_two_factor`
 * (they reach nothing else, as requireActor does for pages); the database unreachable 503 `database_unavailable` with
 * Retry-After; anything unexpected logged and 500 `internal`, never its
 * details. Cross-site requests are refused before this, by proxy.ts.
 */
export function sessionRoute(name: string, handler: (call: SessionCall) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    try {
      const admission = await getActor();
      if (!admission?.ok) return sessionRouteError(401, "unauthenticated", "Sign in first: this needs the dashboard's session.");
      if (mustFinishSigningIn(admission.value)) {
        return admission.value.mustChangePassword
          ? sessionRouteError(403, "must_change_password", "Choose a new password in the dashboard first.")
          : sessionRouteError(403, "must_enrol_two_factor", "Set up two-factor sign-in in the dashboard first: your account requires it.");
      }
      return await handler({ request, url: new URL(request.url), actor: admission.value, ctx: requestContextFrom(request.headers) });
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        log.error("route", `${name}: database unavailable`, { requestId: request.headers.get(REQUEST_ID_HEADER) });
        return sessionRouteError(503, "database_unavailable", "Botdesk cannot reach its database right now. Try again shortly.");
      }
      log.error("route", `${name} failed`, { requestId: request.headers.get(REQUEST_ID_HEADER), error });
      return sessionRouteError(500, "internal", "Botdesk could not finish this request. The server log has the details.");
    }
  };
}
