import type { BoundEndpoint } from "@/lib/domain/agent-sessions/bind-endpoint";
import { externalOrigin } from "@/lib/server/forwarded";
import type { SessionTotals } from "@/lib/domain/agent-sessions/heartbeat";
import { HEARTBEAT_INTERVAL_SECONDS, SESSION_TIMEOUT_SECONDS } from "@/lib/domain/agent-sessions/limits";
import type { TunnelSessionView } from "@/lib/domain/agent-sessions/session-view";
import type { StartedSession } from "@/lib/domain/agent-sessions/start-session";

/** The absolute URL of `/agent/v1` as the client reached it (the scheme a TLS proxy reports, the host it sent). */
export function agentBaseUrl(request: Request): string {
  return `${externalOrigin(request.headers, new URL(request.url))}/agent/v1`;
}

const timing = { heartbeat_interval_seconds: HEARTBEAT_INTERVAL_SECONDS, session_timeout_seconds: SESSION_TIMEOUT_SECONDS };

type SessionBasics = Pick<TunnelSessionView, "id" | "agentVersion" | "os" | "arch" | "metadata" | "transport" | "region" | "ip" | "startedAt" | "credential">;

/** What a started session and a read session have in common. */
const sessionBasicsJson = (base: string, s: SessionBasics) => ({
  id: s.id,
  uri: `${base}/sessions/${s.id}`,
  agent_version: s.agentVersion,
  os: s.os,
  arch: s.arch,
  metadata: s.metadata,
  transport: s.transport,
  region: s.region,
  ip: s.ip,
  started_at: s.startedAt.toISOString(),
  credential: { id: s.credential.id },
});

export const startedSessionJson = (base: string, s: StartedSession) => ({ ...sessionBasicsJson(base, s), ...timing });

export const endpointJson = (base: string, e: BoundEndpoint) => ({
  id: e.id,
  uri: `${base}/sessions/${e.sessionId}/endpoints/${e.id}`,
  session_id: e.sessionId,
  url: e.url,
  hostname: e.hostname,
  labels: e.labels,
  created_at: e.createdAt.toISOString(),
});

export const totalsJson = (t: SessionTotals) => ({
  id: t.id,
  last_heartbeat_at: t.lastHeartbeatAt.toISOString(),
  bytes_in: t.bytesIn,
  bytes_out: t.bytesOut,
  requests: t.requests,
  ...timing,
});

export const sessionJson = (base: string, s: TunnelSessionView) => ({
  ...sessionBasicsJson(base, s),
  last_heartbeat_at: s.lastHeartbeatAt.toISOString(),
  ended_at: s.endedAt?.toISOString() ?? null,
  end_reason: s.endReason,
  bytes_in: s.bytesIn,
  bytes_out: s.bytesOut,
  requests: s.requests,
  endpoints: s.endpoints.map((e) => ({ id: e.id, url: e.url, hostname: e.hostname, labels: e.labels, created_at: e.createdAt.toISOString(), ended_at: e.endedAt?.toISOString() ?? null })),
  ...timing,
});
