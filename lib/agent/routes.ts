import { readJsonBody } from "@/lib/api/request";
import { bindEndpoint } from "@/lib/domain/agent-sessions/bind-endpoint";
import { endSession } from "@/lib/domain/agent-sessions/end-session";
import { reportSession } from "@/lib/domain/agent-sessions/heartbeat";
import { getTunnelSession } from "@/lib/domain/agent-sessions/list-tunnel-sessions";
import { startSession } from "@/lib/domain/agent-sessions/start-session";
import { ID_PATTERN } from "@/lib/validation/text";
import { AgentError } from "./errors";
import { agentBaseUrl, endpointJson, sessionJson, startedSessionJson, totalsJson } from "./json";
import { agentRoute, unwrapAgent } from "./route";

type Id = { id: string };

/** Path ids that are not even ids answer exactly like unknown ones. */
function sessionId(id: string | undefined): string {
  if (!id || id.length > 64 || !ID_PATTERN.test(id)) throw new AgentError("ERR_BOTDESK_404", "No such tunnel session for this authtoken.");
  return id;
}

/** The handlers of /agent/v1 (app/agent/v1/** export them). */
export const agentRoutes = {
  /** POST /agent/v1/sessions */
  start: agentRoute("agent.sessions.start", async ({ request, actor, ctx }) => {
    const started = unwrapAgent(await startSession(actor, ctx, await readJsonBody(request)));
    return Response.json(startedSessionJson(agentBaseUrl(request), started), { status: 201 });
  }),
  /** GET /agent/v1/sessions/{id}: the session as its agent started it, with endpoints and totals. */
  get: agentRoute<Id>("agent.sessions.get", async ({ request, actor, params }) => {
    const id = sessionId(params.id);
    const session = await getTunnelSession(actor, id);
    // Only the authtoken that started a session may read it here.
    if (!session || session.credential.id !== actor.credential?.id) throw new AgentError("ERR_BOTDESK_404", "No such tunnel session for this authtoken.");
    return Response.json(sessionJson(agentBaseUrl(request), session));
  }),
  /** DELETE /agent/v1/sessions/{id} */
  end: agentRoute<Id>("agent.sessions.end", async ({ actor, ctx, params }) => {
    unwrapAgent(await endSession(actor, ctx, sessionId(params.id)));
    return new Response(null, { status: 204 });
  }),
  /** POST /agent/v1/sessions/{id}/endpoints */
  bind: agentRoute<Id>("agent.sessions.bind", async ({ request, actor, ctx, params }) => {
    const id = sessionId(params.id);
    const bound = unwrapAgent(await bindEndpoint(actor, ctx, id, await readJsonBody(request)));
    return Response.json(endpointJson(agentBaseUrl(request), bound), { status: 201 });
  }),
  /** POST /agent/v1/sessions/{id}/heartbeat */
  heartbeat: agentRoute<Id>("agent.sessions.heartbeat", async ({ actor, params }) => {
    return Response.json(totalsJson(unwrapAgent(await reportSession(actor, sessionId(params.id)))));
  }),
  /** POST /agent/v1/sessions/{id}/traffic */
  traffic: agentRoute<Id>("agent.sessions.traffic", async ({ request, actor, params }) => {
    const id = sessionId(params.id);
    return Response.json(totalsJson(unwrapAgent(await reportSession(actor, id, await readJsonBody(request)))));
  }),
};
