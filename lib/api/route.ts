import { randomUUID } from "node:crypto";
import { consumeApiRateLimits, type ApiRateLimitResult } from "@/lib/domain/access/api-rate-limit";
import { authenticateCredential, credentialKindOfId, recordCredentialRefusal } from "@/lib/domain/access/authenticate-credential";
import { usageMeter } from "@/lib/domain/usage/usage-meter";
import { env } from "@/lib/env";
import type { Actor, ActorSource, CredentialActor, RequestContext } from "@/lib/domain/access/types";
import type { SecretKind } from "@/lib/domain/credentials/token-format";
import { isDatabaseUnavailable } from "@/lib/server/database-unavailable";
import { log } from "@/lib/server/log";
import { requestContextFrom } from "@/lib/server/request-context";
import { REQUEST_ID_HEADER } from "@/lib/server/request-id";
import { ApiError, errorResponse, notFoundMessage, REFUSAL_CODES } from "./errors";
import { apiBaseUrl } from "./request";

/** What a handler gets: the authenticated actor and the request, parsed as far as every route needs. */
export interface ApiCall<P> {
  request: Request;
  url: URL;
  /** The absolute URL of `/api/v1` as the client reached it. */
  base: string;
  actor: CredentialActor;
  ctx: RequestContext;
  params: P;
}

type RouteContext<P> = { params: Promise<P> };

/**
 * A way in for programs: which credentials it accepts and as what source they
 * act. The REST API (API keys, source "api") is the one there is: agents speak
 * ngrok's own protocol to the agent listener (lib/tunnels/agent), not HTTP.
 */
export interface Way {
  source: Extract<ActorSource, "api" | "agent">;
  kinds: SecretKind[];
  /** What the secret is called in messages ("API key", "authtoken"). */
  noun: string;
  /**
   * The REST API's limits per key and per account (429 with Retry-After;
   * X-RateLimit-* on every answer), each request metered as the owner's API
   * usage. Agents are metered by what they do (sessions, endpoints, traffic).
   */
  rateLimited: boolean;
}

/** The REST API (/api/v1): API keys. */
export const API: Way = { source: "api", kinds: ["api_key"], noun: "API key", rateLimited: true };


/** The id of this request: the one proxy.ts gave it (also on its log lines), or a new one where no proxy ran. */
export function operationIdOf(request: Request): string {
  return request.headers.get(REQUEST_ID_HEADER) ?? randomUUID();
}

/** Anything a handler did not answer itself: logged (never the request's headers or body), answered generically. */
function unexpected(error: unknown, name: string, operationId: string, source: string): Response {
  if (isDatabaseUnavailable(error)) {
    log.error(source, `${name}: database unavailable`, { requestId: operationId });
    return errorResponse(new ApiError("ERR_BOTDESK_503", "Botdesk cannot reach its database right now. Try again shortly."), operationId);
  }
  log.error(source, `${name} failed`, { requestId: operationId, error });
  return errorResponse(new ApiError("ERR_BOTDESK_500", "Botdesk could not finish this request. The server log has the details."), operationId);
}

/** X-RateLimit-* for the counter closest to its limit (and Retry-After when over it). */
function rateLimitHeaders(result: ApiRateLimitResult): Record<string, string> {
  return {
    "X-RateLimit-Limit": String(result.tightest.limit),
    "X-RateLimit-Remaining": String(result.tightest.remaining),
    "X-RateLimit-Reset": String(result.tightest.resetSeconds),
    "X-RateLimit-Scope": result.tightest.scope,
    ...(result.limited ? { "Retry-After": String(result.retryAfterSeconds) } : {}),
  };
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

/** The secret of `Authorization: Bearer <secret>` (scheme in any case); null when there is none. */
function bearerSecret(request: Request): string | null {
  const match = /^bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}

/**
 * THE wrapper of every REST API and agent route, the counterpart of the
 * dashboard's performAction: `Authorization: Bearer <secret>` (with
 * `Ngrok-Version: 2` or none) → verifyCredential through
 * authenticateCredential with the kinds the way accepts (refusals answered with
 * ngrok's codes, a matching secret's refusal recorded once; real use marks the
 * credential's last use and its owner's last activity) → the owner as the
 * actor (the way's source, the credential used) → for the REST API, the rate
 * limits per key and per account and the owner's API usage → the handler, which
 * calls the same domain functions the dashboard calls and answers JSON. Every
 * error is `{error_code, status_code, msg, details}`; anything unexpected is
 * logged and answered 500 without internals. `way` defaults to the REST API.
 */
export function apiRoute<P = Record<string, never>>(name: string, handler: (call: ApiCall<P>) => Promise<Response>, way: Way = API) {
  return async (request: Request, context: RouteContext<P>): Promise<Response> => {
    const operationId = operationIdOf(request);
    let limitHeaders: Record<string, string> = {};
    try {
      const version = request.headers.get("ngrok-version");
      if (version !== null && version.trim() !== "2") throw new ApiError("ERR_BOTDESK_101", `Ngrok-Version ${version.slice(0, 20)} is not supported: use 2.`);
      const secret = bearerSecret(request);
      if (!secret) throw new ApiError("ERR_BOTDESK_100", `Send your ${way.noun} as 'Authorization: Bearer <${way.noun}>'.`);
      const url = new URL(request.url);
      const ctx = requestContextFrom(request.headers);
      // A route without dynamic segments gets no params from Next.
      const params = (await context.params) ?? ({} as P);
      const path = `${request.method} ${url.pathname}`;
      const admission = await authenticateCredential({ secret, kinds: way.kinds }, { source: way.source, path, ctx });
      if (!admission.ok) throw new ApiError(REFUSAL_CODES[admission.reason], `The ${way.noun} was refused: ${admission.message}.`);
      const { actor } = admission;
      if (way.rateLimited) {
        const limits = await consumeApiRateLimits(
          { credentialId: actor.credential.id, accountId: actor.account.id },
          { perKey: env.BOTDESK_API_MAX_PER_KEY, perAccount: env.BOTDESK_API_MAX_PER_ACCOUNT, windowSeconds: env.BOTDESK_API_WINDOW_SECONDS },
        );
        limitHeaders = rateLimitHeaders(limits);
        if (limits.limited) {
          const per = limits.tightest.scope === "account" ? "for this account" : `for this ${way.noun}`;
          throw new ApiError("ERR_BOTDESK_429", `Too many requests ${per}: try again in ${limits.retryAfterSeconds} s.`);
        }
      }
      // Metered once per request served (reads too), as the key's owner's API usage; not a write
      // refused because its owner was deactivated or deleted while it ran (actorTransaction): that
      // request is answered as one sent after the change, which is never metered.
      const meter = () => (way.rateLimited ? meterApiRequest(actor) : undefined);
      let response: Response;
      try {
        response = await handler({ request, url, base: apiBaseUrl(request), actor, ctx, params });
      } catch (error) {
        const lost = error instanceof ApiError ? STANDING_LOST[error.code] : undefined;
        if (!lost) {
          meter();
          throw error;
        }
        // Refused like a request sent a moment later: recorded as that refusal would be.
        const credential = { ...actor.credential, kind: credentialKindOfId(actor.credential.id) };
        await recordCredentialRefusal({ accountId: actor.account.id, principalId: actor.principal.id, credential, reason: lost }, { source: way.source, path, ctx });
        throw error;
      }
      meter();
      return withHeaders(response, limitHeaders);
    } catch (error) {
      if (error instanceof ApiError) return withHeaders(errorResponse(error, operationId), limitHeaders);
      return withHeaders(unexpected(error, name, operationId, way.source), limitHeaders);
    }
  };
}

/** The codes a handler answers when its actor's standing ended while it ran (apiErrorOf: actor_deactivated, actor_deleted), as refusals. */
const STANDING_LOST: Partial<Record<string, "owner_deactivated" | "owner_deleted">> = {
  [REFUSAL_CODES.owner_deactivated]: "owner_deactivated",
  [REFUSAL_CODES.owner_deleted]: "owner_deleted",
};

/**
 * Counts one served API request as its key's owner's usage, after the handler
 * answered (and committed): in this process's usage meter (usage-meter.ts,
 * written in batches), never a statement of its own. A count can never change
 * the answer: a 500 for a create that committed would make clients retry it,
 * and create it twice; a batch write that fails is logged by the meter and
 * kept for its next flush.
 */
function meterApiRequest(actor: Actor): void {
  usageMeter().count({ accountId: actor.account.id, principalId: actor.principal.id, apiRequests: 1 });
}

/**
 * Any path under /api or /agent that is no route: JSON, never the HTML 404 page (no key needed to
 * learn that). /agent has no routes at all (agents speak ngrok's protocol, not HTTP): its answer
 * says where agents go instead (notFoundMessage in errors.ts).
 */
export function apiNotFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return errorResponse(new ApiError("ERR_BOTDESK_404", notFoundMessage(request.method, path)), operationIdOf(request));
}

export const NO_CONTENT = () => new Response(null, { status: 204 });


/** A method the route does not serve: JSON 405 with `Allow`, never Next.js's empty answer. */
export function apiMethodNotAllowed(allowed: string[]) {
  return (request: Request): Response => {
    const response = errorResponse(new ApiError("ERR_BOTDESK_405", `${request.method} is not allowed here: use ${allowed.join(", ")}.`), operationIdOf(request));
    response.headers.set("Allow", allowed.join(", "));
    return response;
  };
}
