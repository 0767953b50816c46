import { RelativeTimestamp } from "@/components/relative-timestamp";
import { plural } from "@/components/format";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { sessionPlatform, type TunnelSessionView } from "@/lib/domain/agent-sessions/session-view";
import { AutoRefresh } from "./auto-refresh";

const END_REASONS: Record<string, string> = {
  agent_closed: "closed by the agent",
  heartbeat_timeout: "no heartbeat",
  "credential_refused:owner_deactivated": "bot deactivated",
  "credential_refused:owner_deleted": "bot deleted",
  "credential_refused:credential_deleted": "authtoken deleted",
  "credential_refused:revoked": "authtoken revoked",
  "credential_refused:expired": "authtoken expired",
  stopped: "stopped",
  server_stopped: "server stopped",
};

/** 1536 → "1.5 KB". */
export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** One endpoint of a session: its URL, or for a labeled one (BindLabeled: no edges here, so no traffic) its labels; closed ones marked. */
function Endpoint({ endpoint }: { endpoint: TunnelSessionView["endpoints"][number] }) {
  const labels = Object.entries(endpoint.labels).map(([k, v]) => `${k}=${v}`);
  return (
    <li className="flex flex-wrap items-center gap-1.5 [overflow-wrap:anywhere]" data-testid="session-endpoint">
      {endpoint.url ? <code className="text-xs text-slate-800">{endpoint.url}</code> : <span className="text-xs text-slate-600">Labeled (recorded, not routed)</span>}
      {labels.map((l) => (
        // Not a Badge: a label may be 257 characters, and wraps at phone width.
        <code key={l} className="rounded bg-indigo-50 px-1.5 py-0.5 text-xs text-indigo-800 ring-1 ring-indigo-600/20 ring-inset [overflow-wrap:anywhere]">
          {l}
        </code>
      ))}
      {endpoint.endedAt && <Badge tone="gray">Closed</Badge>}
    </li>
  );
}

/** "client OpenSSH_9.2p1 Debian-2+deb12u6" (an SSH client says no OS) or "agent 3.18.4 · linux/amd64". */
function AgentSoftware({ session }: { session: TunnelSessionView }) {
  const platform = sessionPlatform(session);
  return (
    <span className="min-w-0 text-slate-600 [overflow-wrap:anywhere]" data-testid="session-software">
      {session.transport === "ssh" ? "client" : "agent"} {session.agentVersion}
      {platform && <> · {platform}</>}
    </span>
  );
}

/**
 * The bot page's live "Sessions" panel: the bot's tunnel sessions, newest
 * first, open ones marked online, each with its endpoints (a labeled one by its
 * labels), where it connects from, what the agent said about itself (host,
 * user agent, metadata, client id), since when, the authtoken used and its traffic. Give it
 * `listTunnelSessions(actor, {botId, limit})`'s rows; it refreshes the page
 * every 15 s while visible. IPs the viewer may not see arrive as null.
 * `stopButton` renders the Stop control of an online session (given only to
 * those who may stop it).
 */
export function SessionsPanel({
  sessions,
  hasMore = false,
  stopButton,
}: {
  sessions: TunnelSessionView[];
  hasMore?: boolean;
  stopButton?: (session: TunnelSessionView) => React.ReactNode;
}) {
  const online = sessions.filter((s) => !s.endedAt);
  return (
    <Card data-testid="sessions-panel" aria-labelledby="sessions-heading" className="min-w-0">
      <AutoRefresh />
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="sessions-heading" className="text-base font-semibold text-slate-900">
          Sessions
        </h2>
        <p className="text-sm text-slate-600" data-testid="sessions-online">
          {online.length === 0 ? "No agent online" : `${plural(online.length, "session", "sessions")} online now${hasMore ? " (newest shown)" : ""}`}
        </p>
      </div>
      {sessions.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600">No agent has started a session with this bot&apos;s authtokens yet.</p>
      ) : (
        <ul className="mt-3 divide-y divide-slate-100">
          {sessions.map((s) => (
            <li key={s.id} className="min-w-0 py-3" data-testid="session-row">
              <div className="flex flex-wrap items-center gap-2 text-sm">
                {s.endedAt ? (
                  <Badge tone="gray">Ended · {END_REASONS[s.endReason ?? ""] ?? s.endReason}</Badge>
                ) : (
                  <Badge tone="green">Online</Badge>
                )}
                <span className="font-medium text-slate-900">{s.transport}</span>
                <AgentSoftware session={s} />
                {!s.endedAt && stopButton && <span className="ml-auto">{stopButton(s)}</span>}
              </div>
              <dl className="mt-1 grid min-w-0 grid-cols-1 gap-x-6 gap-y-0.5 text-xs text-slate-600 sm:grid-cols-2">
                <div>
                  <dt className="inline">Since </dt>
                  <dd className="inline">
                    <RelativeTimestamp iso={s.startedAt.toISOString()} />
                  </dd>
                </div>
                <div>
                  <dt className="inline">From </dt>
                  <dd className="inline">{s.ip ?? "—"}</dd>
                </div>
                {s.hostname && (
                  <div className="min-w-0">
                    <dt className="inline">Host </dt>
                    <dd className="inline [overflow-wrap:anywhere]" data-testid="session-hostname">
                      {s.hostname}
                    </dd>
                  </div>
                )}
                <div className="min-w-0">
                  <dt className="inline">{s.transport === "ssh" ? "SSH key" : "Authtoken"} </dt>
                  <dd className="inline [overflow-wrap:anywhere]">
                    <code>{s.credential.display}</code>
                  </dd>
                </div>
                <div>
                  <dt className="inline">Traffic </dt>
                  <dd className="inline">
                    {formatBytes(s.bytesIn)} in · {formatBytes(s.bytesOut)} out · {plural(s.requests, "request", "requests")}
                  </dd>
                </div>
                {s.userAgent && (
                  <div className="min-w-0 sm:col-span-2">
                    <dt className="inline">User agent </dt>
                    <dd className="inline [overflow-wrap:anywhere]" data-testid="session-user-agent">
                      <code>{s.userAgent}</code>
                    </dd>
                  </div>
                )}
                {s.metadata && (
                  <div className="min-w-0 sm:col-span-2">
                    <dt className="inline">Metadata </dt>
                    <dd className="line-clamp-3 whitespace-pre-line [overflow-wrap:anywhere]" title={s.metadata} data-testid="session-metadata">
                      {s.metadata}
                    </dd>
                  </div>
                )}
                {s.clientId && (
                  <div className="min-w-0">
                    <dt className="inline">Client id </dt>
                    <dd className="inline [overflow-wrap:anywhere]">
                      <code>{s.clientId}</code>
                    </dd>
                  </div>
                )}
                {s.endedAt && (
                  <div>
                    <dt className="inline">Ended </dt>
                    <dd className="inline">
                      <RelativeTimestamp iso={s.endedAt.toISOString()} />
                    </dd>
                  </div>
                )}
              </dl>
              {s.endpoints.length > 0 && (
                <ul className="mt-2 space-y-1" aria-label="Endpoints">
                  {s.endpoints.map((e) => (
                    <Endpoint key={e.id} endpoint={e} />
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
