import { ApiError } from "@/lib/api/errors";
import { unwrap } from "@/lib/api/from-result";
import { readJsonBody } from "@/lib/api/request";
import { apiRoute, type Way } from "@/lib/api/route";
import { bindEndpoint } from "@/lib/domain/agent-sessions/bind-endpoint";
import { endSessionOfRefusedCredential } from "@/lib/domain/agent-sessions/end-refused-session";
import { endSession } from "@/lib/domain/agent-sessions/end-session";
import { reportSession } from "@/lib/domain/agent-sessions/heartbeat";
import { getTunnelSession } from "@/lib/domain/agent-sessions/list-tunnel-sessions";
import { startSession } from "@/lib/domain/agent-sessions/start-session";
import { ID_PATTERN } from "@/lib/validation/text";
import { agentBaseUrl, endpointJson, sessionJson, startedSessionJson, totalsJson } from "./json";

type Id = { id?: string };

/**
 * The agent endpoints' way in, through the REST API's one wrapper: authtokens,
 * source "agent", no API rate limits (agents are metered by what they do).
 * When a refused request names a session of that authtoken (a deactivated
 * bot's next heartbeat, say), the session is ended and recorded.
 */
export const AGENT: Way<Id> = {
  source: "agent",
  kinds: ["authtoken"],
  noun: "authtoken",
  rateLimited: false,
  afterRefusal: async ({ credentialId, reason, params, ctx }) =>
    params.id && (await endSessionOfRefusedCredential(credentialId, reason, params.id, ctx)) ? "The tunnel session has been ended." : null,
};

const agentRoute = <P extends Id>(name: string, handler: Parameters<typeof apiRoute<P>>[1]) => apiRoute<P>(name, handler, AGENT as Way<P>);

/** Path ids that are not even ids answer exactly like unknown ones. */
function sessionId(id: string | undefined): string {
  if (!id || id.length > 64 || !ID_PATTERN.test(id)) throw new ApiError("ERR_BOTDESK_404", "No such tunnel session for this authtoken.");
  return id;
}

/** The handlers of /agent/v1 (app/agent/v1/** export them). */
export const agentRoutes = {
  /** POST /agent/v1/sessions */
  start: agentRoute<Id>("agent.sessions.start", async ({ request, actor, ctx }) => {
    const started = unwrap(await startSession(actor, ctx, await readJsonBody(request)));
    return Response.json(startedSessionJson(agentBaseUrl(request), started), { status: 201 });
  }),
  /** GET /agent/v1/sessions/{id}: the session as its agent started it, with endpoints and totals. */
  get: agentRoute<Id>("agent.sessions.get", async ({ request, actor, params }) => {
    const id = sessionId(params.id);
    const session = await getTunnelSession(actor, id);
    // Only the authtoken that started a session may read it here.
    if (!session || session.credential.id !== actor.credential?.id) throw new ApiError("ERR_BOTDESK_404", "No such tunnel session for this authtoken.");
    return Response.json(sessionJson(agentBaseUrl(request), session));
  }),
  /** DELETE /agent/v1/sessions/{id} */
  end: agentRoute<Id>("agent.sessions.end", async ({ actor, ctx, params }) => {
    unwrap(await endSession(actor, ctx, sessionId(params.id)));
    return new Response(null, { status: 204 });
  }),
  /** POST /agent/v1/sessions/{id}/endpoints */
  bind: agentRoute<Id>("agent.sessions.bind", async ({ request, actor, ctx, params }) => {
    const id = sessionId(params.id);
    const bound = unwrap(await bindEndpoint(actor, ctx, id, await readJsonBody(request)));
    return Response.json(endpointJson(agentBaseUrl(request), bound), { status: 201 });
  }),
  /** POST /agent/v1/sessions/{id}/heartbeat */
  heartbeat: agentRoute<Id>("agent.sessions.heartbeat", async ({ actor, params }) => {
    return Response.json(totalsJson(unwrap(await reportSession(actor, sessionId(params.id)))));
  }),
  /** POST /agent/v1/sessions/{id}/traffic */
  traffic: agentRoute<Id>("agent.sessions.traffic", async ({ request, actor, params }) => {
    const id = sessionId(params.id);
    return Response.json(totalsJson(unwrap(await reportSession(actor, id, await readJsonBody(request)))));
  }),
};
