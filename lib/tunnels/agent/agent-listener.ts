import tls from "node:tls";
import { HEARTBEAT_INTERVAL_SECONDS } from "@/lib/domain/agent-sessions/limits";
import type { TlsSource } from "@/lib/tunnels/tls/tls-source";
import { createConnectionGate, gatedListening, throttledLog } from "@/lib/server/connection-gate";
import { AgentConnection, type AgentConnectionOptions } from "./agent-connection";

export interface AgentListenerOptions extends Partial<Omit<AgentConnectionOptions, "domain" | "publicUrl" | "log">> {
  /** The certificate agents verify (agentTls()); a renewed one is served to new connections. */
  tls: TlsSource;
  domain: string;
  publicUrl: (hostname: string) => string;
  /** Connections held at once (TLS handshakes included), and from one client address; more are dropped on accept, before TLS. */
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  log?: (line: string) => void;
}

/** Defaults: a handshake (TLS and Auth) within 10 s, 1,000 connections, 256 from one address, the credential re-checked every heartbeat interval. */
export const AGENT_LISTENER_DEFAULTS = { handshakeTimeoutMs: 10_000, maxConnections: 1_000, maxConnectionsPerIp: 256, recheckMs: HEARTBEAT_INTERVAL_SECONDS * 1000 } as const;

export type AgentListener = tls.Server & {
  /** Stops listening, ends every session it carries (`server_stopped`) and closes their connections. */
  stop(): Promise<void>;
  /** The live connections (for tests). */
  readonly connections: ReadonlySet<AgentConnection>;
};

/**
 * Botdesk's listener for ngrok's agents (`@ngrok/ngrok` with `server_addr`,
 * ngrok-go, ngrok-python, the ngrok CLI): TLS with the agent certificate, then
 * ngrok's agent protocol over muxado, each connection an AgentConnection. A
 * connection must finish TLS and Auth within `handshakeTimeoutMs`, and at most
 * `maxConnections` are held (`maxConnectionsPerIp` from one address, all counted
 * under the process's cap: lib/server/connection-gate.ts), so half-open
 * connections cannot pile up.
 */
export function createAgentListener(options: AgentListenerOptions): AgentListener {
  const log = options.log ?? (() => {});
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? AGENT_LISTENER_DEFAULTS.handshakeTimeoutMs;
  const connectionOptions: AgentConnectionOptions = {
    domain: options.domain,
    tcpPorts: options.tcpPorts ?? "off",
    publicUrl: options.publicUrl,
    recheckMs: options.recheckMs ?? AGENT_LISTENER_DEFAULTS.recheckMs,
    handshakeTimeoutMs,
    maxSessionsPerToken: options.maxSessionsPerToken ?? 10,
    maxBindsPerMinute: options.maxBindsPerMinute ?? 60,
    log,
  };
  const connections = new Set<AgentConnection>();
  const server = tls.createServer({ ...options.tls.current(), handshakeTimeout: handshakeTimeoutMs }, (socket) => {
    socket.setNoDelay(true);
    socket.on("error", () => {});
    const connection = new AgentConnection(socket, connectionOptions);
    connections.add(connection);
    socket.once("close", () => connections.delete(connection));
  });
  const gate = createConnectionGate({
    total: options.maxConnections ?? AGENT_LISTENER_DEFAULTS.maxConnections,
    perAddress: options.maxConnectionsPerIp ?? AGENT_LISTENER_DEFAULTS.maxConnectionsPerIp,
    name: "agent listener",
    log,
  });
  // Connections are admitted by the gate in front of TLS (refused ones never cost a handshake).
  const listening = gatedListening(server, gate, (socket) => server.emit("connection", socket));
  // TLS's own handshakeTimeout runs from the TCP accept (a silent connection included); the connection's from then to Auth.
  // A flood of failed handshakes is said a few times a minute, not once each.
  const handshakeFailed = throttledLog(log);
  server.on("tlsClientError", (error: Error, socket: tls.TLSSocket) => {
    handshakeFailed(`agent TLS handshake from ${socket.remoteAddress ?? "?"} failed: ${error.message}`);
    socket.destroy();
  });
  const stopWatching = options.tls.onChange((context) => server.setSecureContext(context));
  const stop = async () => {
    stopWatching();
    listening.close();
    await Promise.all([...connections].map((c) => c.stop().catch(() => {})));
  };
  return Object.assign(server, listening, { stop, connections });
}
