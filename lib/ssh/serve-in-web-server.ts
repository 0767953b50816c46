import { stopBeforeExit } from "@/lib/server/stop-before-exit";
import { ingressUrlFor } from "@/lib/tunnels/ingress/public-url";
import path from "node:path";
import { readEnv } from "@/lib/env";
import { log } from "@/lib/server/log";
import { isEveryInterface, reachability, urlHost } from "@/lib/server/bind-host";
import { createAgentSshServer } from "./agent-ssh-server";
import { HOST_KEY_FILE, sshHostKey } from "./host-key";

const STARTED = Symbol.for("botdesk.sshServer");
type Flagged = typeof globalThis & { [STARTED]?: boolean };

/**
 * Botdesk's SSH server for agents, run inside the web server that `npm start`
 * runs (started once from instrumentation.ts; the launcher asks for it with
 * BOTDESK_SERVE_LISTENERS=1), so it shares the web server's Prisma client instead of
 * loading its own in another process. `ssh -p 2222 -R 0:localhost:8080
 * agent@host` with a key registered as an SSH credential opens a tunnel
 * session (agent-ssh-server.ts). A port already in use, or the SSH server
 * failing later, is reported and the web server runs on without SSH.
 *
 * Before this process exits, for whatever reason (Ctrl-C or SIGTERM through
 * Next.js's own shutdown, the launcher dying, a fatal error), the server's open
 * sessions are ended and recorded (`server_stopped`) rather than left to the
 * sweep: process.exit waits for that, at most 5 s.
 */
export async function serveSshInThisProcess(): Promise<void> {
  const flagged = globalThis as Flagged;
  if (flagged[STARTED]) return;
  flagged[STARTED] = true;
  const env = readEnv();
  if (env.BOTDESK_SSH_PORT === "off") return;
  const say = (line: string) => log.info("botdesk", line);
  const port = env.BOTDESK_SSH_PORT;
  // The data directory is chosen at run time: not a file for the build to trace.
  const dataDir = path.resolve(/*turbopackIgnore: true*/ process.cwd(), env.BOTDESK_DATA_DIR);
  // Shared by every instance on the database; a key this AUTH_SECRET cannot decrypt stops the start (listeners.ts).
  const hostKey = await sshHostKey({ dataDir });
  if (hostKey.source === "generated") say(`SSH host key generated and stored (encrypted) in the database: ${hostKey.publicKey}`);
  if (hostKey.source === "imported") say(`SSH host key imported from ${path.join(dataDir, HOST_KEY_FILE)} into the database (encrypted), so clients' known_hosts keep working; from now on the database's copy is used (the file may stay as a backup).`);
  if (hostKey.ignoredFile) say(`SSH host key: ${hostKey.ignoredFile} holds another key than the one every instance shares (in the database); the file is not used.`);
  // Where the ingress serves what `-R` binds (lib/tunnels/ingress): said to the client after each bind.
  const ingress = { port: env.BOTDESK_INGRESS_PORT, tls: Boolean(env.BOTDESK_INGRESS_TLS_CERT && env.BOTDESK_INGRESS_TLS_KEY) };
  const ingressUrl = ingress.port === "off" ? undefined : (hostname: string) => ingressUrlFor(hostname, ingress);
  const server = createAgentSshServer({
    hostKey: hostKey.key,
    domain: env.BOTDESK_TUNNEL_DOMAIN,
    tcpPorts: env.BOTDESK_TCP_PORTS,
    ingressUrl,
    handshakeTimeoutMs: env.BOTDESK_HANDSHAKE_TIMEOUT_SECONDS * 1000,
    maxConnectionsPerIp: env.BOTDESK_MAX_CONNECTIONS_PER_IP,
    maxSessionsPerKey: env.BOTDESK_AGENT_MAX_SESSIONS_PER_TOKEN,
    maxBindsPerMinute: env.BOTDESK_AGENT_MAX_BINDS_PER_MINUTE,
    log: say,
  });
  let listening = false;
  server.on("error", (error: NodeJS.ErrnoException) => {
    say(error.code === "EADDRINUSE" ? `SSH server not started: port ${port} is in use (set BOTDESK_SSH_PORT, or "off").` : `SSH server stopped: ${error.message}`);
    if (listening) void server.stop().catch(() => {});
    listening = false;
  });
  // BOTDESK_HOST as the launcher resolved it (unset: every interface), as the dashboard binds.
  const host = env.BOTDESK_HOST;
  server.listen({ port, host, exclusive: true }, () => {
    listening = true;
    say(`SSH server for agents on port ${port}: ssh -p ${port} -R 0:localhost:8080 agent@${isEveryInterface(host) ? "<host>" : urlHost(host)} ${reachability(host)}`);
  });

  // Ending its sessions (server_stopped) runs before the process exits, on a signal or when the launcher dies.
  stopBeforeExit(
    async () => {
      if (listening) await server.stop();
    },
    (error) => say(`SSH server: ending its sessions failed: ${error instanceof Error ? error.message : String(error)}`),
  );
}
