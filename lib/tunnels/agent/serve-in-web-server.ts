import { stopBeforeExit } from "@/lib/server/stop-before-exit";
import { readEnv } from "@/lib/env";
import { isEveryInterface, reachability, urlHost } from "@/lib/server/bind-host";
import { log } from "@/lib/server/log";
import type { AgentTls } from "@/lib/tunnels/tls/agent-tls";
import { createAgentListener, type AgentListener } from "./agent-listener";
import { ingressUrlFor } from "@/lib/tunnels/ingress/public-url";

const STARTED = Symbol.for("botdesk.agentListener");
type Flagged = typeof globalThis & { [STARTED]?: boolean };

/**
 * The listener for ngrok's agents (agent-listener.ts), run inside the web
 * server beside the SSH server (lib/server/listeners.ts starts it once, with
 * the agent TLS it made). A port already in use is reported and the web server
 * runs on without it. Before this process exits (a signal, the launcher dying,
 * process.exit) the sessions it carries are ended and recorded
 * (`server_stopped`), at most 5 s. Returns the listener (none when off or
 * already started).
 */
export async function serveAgentsInThisProcess(tls: AgentTls): Promise<AgentListener | undefined> {
  const flagged = globalThis as Flagged;
  if (flagged[STARTED]) return undefined;
  flagged[STARTED] = true;
  const env = readEnv();
  if (env.BOTDESK_AGENT_PORT === "off") return undefined;
  const say = (line: string) => log.info("botdesk", line);
  const port = env.BOTDESK_AGENT_PORT;
  const ingress = { port: env.BOTDESK_INGRESS_PORT, tls: Boolean(env.BOTDESK_INGRESS_TLS_CERT && env.BOTDESK_INGRESS_TLS_KEY) };
  const listener = createAgentListener({
    tls,
    domain: env.BOTDESK_TUNNEL_DOMAIN,
    publicUrl: (hostname) => ingressUrlFor(hostname, ingress),
    tcpPorts: env.BOTDESK_TCP_PORTS,
    maxSessionsPerToken: env.BOTDESK_AGENT_MAX_SESSIONS_PER_TOKEN,
    maxBindsPerMinute: env.BOTDESK_AGENT_MAX_BINDS_PER_MINUTE,
    handshakeTimeoutMs: env.BOTDESK_HANDSHAKE_TIMEOUT_SECONDS * 1000,
    maxConnectionsPerIp: env.BOTDESK_MAX_CONNECTIONS_PER_IP,
    log: say,
  });
  let listening = false;
  listener.on("error", (error: NodeJS.ErrnoException) => {
    say(error.code === "EADDRINUSE" ? `Agent listener not started: port ${port} is in use (set BOTDESK_AGENT_PORT, or "off").` : `Agent listener stopped: ${error.message}`);
    if (listening) void listener.stop().catch(() => {});
    listening = false;
  });
  // BOTDESK_HOST as the launcher resolved it (unset: every interface), as the dashboard binds.
  const host = env.BOTDESK_HOST;
  listener.listen({ port, host, exclusive: true }, () => {
    listening = true;
    const where = `${isEveryInterface(host) ? "<host>" : urlHost(host)}:${port}`;
    const trust = tls.caPem ? "session_ca_cert: the PEM at GET /agent-ca.pem" : 'root_cas: "host"';
    say(`Agent listener for ngrok's agents on port ${port}: @ngrok/ngrok with server_addr "${where}", ${trust}, and an authtoken ${reachability(host)}`);
  });

  // As the SSH server's: its sessions end (server_stopped) before the process exits.
  stopBeforeExit(
    async () => {
      if (listening) await listener.stop();
    },
    (error) => say(`Agent listener: ending its sessions failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  return listener;
}
