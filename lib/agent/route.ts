import { ApiError } from "@/lib/api/errors";
import { operationIdOf } from "@/lib/api/route";
import { authenticateCredential } from "@/lib/domain/access/authenticate-credential";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { endSessionOfRefusedCredential } from "@/lib/domain/agent-sessions/end-session";
import type { Result } from "@/lib/domain/result";
import { isDatabaseUnavailable } from "@/lib/server/database-unavailable";
import { requestContextFrom } from "@/lib/server/request-context";
import { AgentError, refusalCode } from "./errors";

export interface AgentCall<P> {
  request: Request;
  url: URL;
  actor: Actor;
  ctx: RequestContext;
  params: P;
}

type RouteContext<P> = { params: Promise<P> };

/** `{error_code, status_code, msg, details: {operation_id, …}}`, ngrok's error shape (as the REST API answers). */
export function agentErrorResponse(error: AgentError | ApiError, operationId: string): Response {
  const headers: Record<string, string> = {};
  if (error.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="botdesk-agent"';
  return Response.json(
    { error_code: error.code, status_code: error.status, msg: error.message, details: { operation_id: operationId, ...error.details } },
    { status: error.status, headers },
  );
}

function bearerSecret(request: Request): string | null {
  return /^bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? null;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** A domain refusal of an agent call, as the agent endpoints answer it. */
export function agentErrorOf(result: Extract<Result<unknown>, { ok: false }>): AgentError {
  switch (result.code) {
    case "bind_refused":
      return new AgentError("ERR_NGROK_308", result.message);
    case "session_not_found":
      return new AgentError("ERR_BOTDESK_404", result.message);
    case "session_ended":
      return new AgentError("ERR_BOTDESK_410", result.message);
  }
  const [field, message] = Object.entries(result.fieldErrors ?? {})[0] ?? [];
  if (field && message) return new AgentError("ERR_BOTDESK_400", `${snake(field)}: ${message}`, { field: snake(field) });
  return new AgentError("ERR_BOTDESK_400", result.message);
}

/** The data of a successful Result, or throws its AgentError. */
export function unwrapAgent<T>(result: Result<T>): T {
  if (!result.ok) throw agentErrorOf(result);
  return result.data;
}

/**
 * THE wrapper of every agent route (/agent/v1): `Authorization: Bearer
 * <authtoken>` → authenticateCredential (the REST API's chokepoint: the one
 * verifyCredential, a matching secret's refusal recorded once as
 * `credential.refused`) → the authtoken's owner as the actor, source "agent",
 * the authtoken as the credential → the handler. When a refused request names
 * a session of that authtoken (a deactivated bot's next heartbeat, say), the
 * session is ended and recorded. Errors in ngrok's shape; anything unexpected
 * is logged and answered 500 without internals.
 */
export function agentRoute<P extends { id?: string } = Record<string, never>>(name: string, handler: (call: AgentCall<P>) => Promise<Response>) {
  return async (request: Request, context: RouteContext<P>): Promise<Response> => {
    const operationId = operationIdOf(request);
    try {
      const secret = bearerSecret(request);
      if (!secret) throw new AgentError("ERR_BOTDESK_100", "Send your authtoken as 'Authorization: Bearer <authtoken>'.");
      const url = new URL(request.url);
      const ctx = requestContextFrom(request.headers);
      const params = await context.params;
      const admission = await authenticateCredential(secret, { kinds: ["authtoken"], source: "agent", path: `${request.method} ${url.pathname}`, ctx });
      if (!admission.ok) {
        const ended = params.id ? await endSessionOfRefusedCredential(secret, admission.reason, params.id, ctx) : false;
        throw new AgentError(refusalCode(admission.reason), `The authtoken was refused: ${admission.message}.${ended ? " The tunnel session has been ended." : ""}`);
      }
      return await handler({ request, url, actor: admission.actor, ctx, params });
    } catch (error) {
      if (error instanceof AgentError || error instanceof ApiError) return agentErrorResponse(error, operationId);
      if (isDatabaseUnavailable(error)) {
        console.error(`[agent] ${name} (${operationId}): database unavailable`);
        return agentErrorResponse(new AgentError("ERR_BOTDESK_503", "Botdesk cannot reach its database right now. Try again shortly."), operationId);
      }
      console.error(`[agent] ${name} (${operationId}) failed:`, error);
      return agentErrorResponse(new AgentError("ERR_BOTDESK_500", "Botdesk could not finish this request. The server log has the details."), operationId);
    }
  };
}

/** Any path under /agent/v1 that is no route, or a route without this method: JSON, never the HTML 404 page. */
export function agentNotFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return agentErrorResponse(new AgentError("ERR_BOTDESK_404", `No agent route ${request.method} ${path.slice(0, 200)}.`), operationIdOf(request));
}



/** A method a route does not serve: JSON 405 with `Allow`, never Next.js's empty 405. */
export function agentMethodNotAllowed(allow: string[]) {
  return (request: Request): Response => {
    const response = agentErrorResponse(
      new AgentError("ERR_BOTDESK_405", `${request.method} is not served here; use ${allow.join(" or ")}.`),
      operationIdOf(request),
    );
    response.headers.set("Allow", allow.join(", "));
    return response;
  };
}
