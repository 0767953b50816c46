import { getTunnelSession, listTunnelSessions } from "@/lib/domain/agent-sessions/list-tunnel-sessions";
import type { TunnelSessionView } from "@/lib/domain/agent-sessions/session-view";
import { stopTunnelSession } from "@/lib/domain/agent-sessions/stop-tunnel-session";
import { ApiError } from "./errors";
import { unwrap } from "./from-result";
import { keysetQuery, listBody, pathId } from "./request";
import { apiRoute, NO_CONTENT } from "./route";

/** A tunnel session as ngrok shows it (its credential under /credentials or, for SSH, /ssh_credentials), plus Botdesk's owner and end. */
export function tunnelSessionJson(base: string, s: TunnelSessionView) {
  const credentials = s.transport === "ssh" ? "ssh_credentials" : "credentials";
  return {
    id: s.id,
    uri: `${base}/tunnel_sessions/${s.id}`,
    agent_version: s.agentVersion,
    credential: { id: s.credential.id, uri: `${base}/${credentials}/${s.credential.id}` },
    ip: s.ip,
    metadata: s.metadata,
    os: s.os,
    region: s.region,
    started_at: s.startedAt.toISOString(),
    transport: s.transport,
    arch: s.arch,
    owner_id: s.principal.id,
    ended_at: s.endedAt?.toISOString() ?? null,
    end_reason: s.endReason,
  };
}

/**
 * `/tunnel_sessions`: the account's agent sessions (HTTP and SSH), newest
 * first, and one by id, through listTunnelSessions/getTunnelSession: admins'
 * keys see every principal's, members' and bots' keys their own and the bots'
 * (the dashboard's rule), IPs only where the owner may see them; and ngrok's
 * stop (`POST /tunnel_sessions/{id}/stop`, 204) through stopTunnelSession:
 * owners' and admins' keys any session of the account, others' their own.
 */
export const tunnelSessionRoutes = {
  list: apiRoute("tunnel_sessions.list", async ({ actor, url, base }) => {
    const query = keysetQuery(url);
    const page = await listTunnelSessions(actor, query);
    const items = page.rows.map((s) => tunnelSessionJson(base, s));
    return Response.json(listBody("tunnel_sessions", items, { hasMore: page.hasMore, limit: query.limit }, base, "/tunnel_sessions", url));
  }),
  get: apiRoute<{ id: string }>("tunnel_sessions.get", async ({ actor, params, base }) => {
    const session = await getTunnelSession(actor, pathId(params.id));
    if (!session) throw new ApiError("ERR_BOTDESK_404", "Tunnel session not found.");
    return Response.json(tunnelSessionJson(base, session));
  }),
  stop: apiRoute<{ id: string }>("tunnel_sessions.stop", async ({ actor, ctx, params }) => {
    unwrap(await stopTunnelSession(actor, { id: pathId(params.id) }, ctx));
    return NO_CONTENT();
  }),
};
