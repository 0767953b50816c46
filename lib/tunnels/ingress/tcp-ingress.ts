import net from "node:net";
import { endpointForPort, type LiveEndpoint } from "@/lib/tunnels/registry/live-endpoints";
import { meteredStream } from "@/lib/tunnels/metering/metered-stream";
import { trafficMeter, type TrafficMeter } from "@/lib/tunnels/metering/traffic-meter";
import { clientAddress } from "./forward";
import { createConnectionGate, type ConnectionGate } from "@/lib/server/connection-gate";

/** The largest port range served (one listener a port): BOTDESK_TCP_PORTS beyond this is refused at the start. */
export const MAX_TCP_PORTS = 1000;

/** How long the agent has to open its stream for a new connection; then the connection is closed. */
const OPEN_TIMEOUT_MS = 10_000;

/** Defaults: 4,096 connections over every port, 1,024 on one port (one endpoint), 256 from one client address (BOTDESK_MAX_CONNECTIONS_PER_IP). */
export const TCP_INGRESS_DEFAULTS = { maxConnections: 4096, maxConnectionsPerPort: 1024, maxConnectionsPerIp: 256 } as const;

export interface TcpIngressOptions {
  ports: { from: number; to: number };
  /** The address to bind (BOTDESK_HOST; undefined: every interface). */
  host?: string;
  /**
   * Connections held at once over every port, on one port, and from one client address (over every
   * port; all counted under the process's cap): more are closed at once, before the agent is asked.
   */
  maxConnections?: number;
  maxConnectionsPerPort?: number;
  maxConnectionsPerIp?: number;
  meter?: TrafficMeter;
  lookup?: (port: number) => LiveEndpoint | undefined;
  /** Where a port not served here is served by another instance (lib/tunnels/forwarder's remoteLookup); unset: nowhere. */
  remote?: (port: number) => Promise<LiveEndpoint | undefined>;
  log?: (line: string) => void;
}

export interface TcpIngress {
  /** Ports it listens on. */
  ports: number[];
  /** Ports it could not listen on (held by another process), each with the reason. */
  skipped: { port: number; reason: string }[];
  stop(): Promise<void>;
}

/**
 * The ingress for agents' TCP endpoints: a listener on every port of
 * BOTDESK_TCP_PORTS; a connection to a port some endpoint serves is piped to a
 * stream its agent opens (every byte counted each way), a connection to a
 * port no endpoint serves is closed at once.
 */
export async function startTcpIngress(opts: TcpIngressOptions): Promise<TcpIngress> {
  const count = opts.ports.to - opts.ports.from + 1;
  if (count > MAX_TCP_PORTS) throw new Error(`BOTDESK_TCP_PORTS: at most ${MAX_TCP_PORTS} ports (one listener each), got ${count}`);
  const meter = opts.meter ?? trafficMeter();
  const lookup = opts.lookup ?? endpointForPort;
  const log = opts.log ?? (() => {});
  const gate = createConnectionGate({
    total: opts.maxConnections ?? TCP_INGRESS_DEFAULTS.maxConnections,
    perAddress: opts.maxConnectionsPerIp ?? TCP_INGRESS_DEFAULTS.maxConnectionsPerIp,
    name: "TCP endpoints",
    log,
  });
  const portGates = new Map<number, ConnectionGate>();
  const gateOf = (port: number) => {
    let portGate = portGates.get(port);
    if (!portGate) {
      portGate = createConnectionGate({ total: opts.maxConnectionsPerPort ?? TCP_INGRESS_DEFAULTS.maxConnectionsPerPort, parent: gate, name: `TCP endpoint port ${port}`, log });
      portGates.set(port, portGate);
    }
    return portGate;
  };
  const sockets = new Set<net.Socket>();
  const servers: net.Server[] = [];
  const ports: number[] = [];
  const skipped: { port: number; reason: string }[] = [];

  const accept = (port: number, socket: net.Socket) => {
    socket.on("error", () => socket.destroy());
    // Counted under the caps from the start: a connection waiting for the database's answer holds its place too.
    if (!gateOf(port).admit(socket)) return void socket.destroy();
    const local = lookup(port);
    if (local || !opts.remote) return carry(port, socket, local);
    // Held by another instance (or nowhere): the connection waits, paused, for the database's answer.
    opts.remote(port).then(
      (endpoint) => carry(port, socket, endpoint),
      () => carry(port, socket, undefined),
    );
  };

  const carry = (port: number, socket: net.Socket, endpoint: LiveEndpoint | undefined) => {
    if (!endpoint || socket.destroyed) return void socket.destroy();
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.pause();
    // An agent that never opens the stream does not keep the client's connection (and its place under the caps).
    const opening = setTimeout(() => socket.destroy(), OPEN_TIMEOUT_MS);
    opening.unref();
    socket.once("close", () => clearTimeout(opening));
    endpoint.open({ clientAddr: clientAddress(socket), proto: "tcp" }).then(
      (inner) => {
        clearTimeout(opening);
        // A forwarded connection is metered where its agent is.
        const stream = endpoint.forwarded ? inner : meteredStream(inner, (direction, n) => meter.count(endpoint, direction === "in" ? { bytesIn: n } : { bytesOut: n }));
        if (socket.destroyed) return void stream.destroy();
        stream.on("error", () => socket.destroy());
        stream.on("close", () => socket.destroy());
        socket.on("close", () => stream.destroy());
        socket.pipe(stream);
        stream.pipe(socket);
        socket.resume();
      },
      (error: unknown) => {
        log(`tcp ingress: port ${port}: the agent could not be reached: ${error instanceof Error ? error.message : String(error)}`);
        socket.destroy();
      },
    );
  };

  await Promise.all(
    Array.from({ length: count }, (_, i) => opts.ports.from + i).map(
      (port) =>
        new Promise<void>((resolve) => {
          const server = net.createServer({ pauseOnConnect: true }, (socket) => accept(port, socket));
          server.once("error", (error: NodeJS.ErrnoException) => {
            skipped.push({ port, reason: error.code === "EADDRINUSE" ? "in use by another process" : error.message });
            resolve();
          });
          server.listen({ port, host: opts.host, exclusive: true }, () => {
            servers.push(server);
            ports.push(port);
            resolve();
          });
        }),
    ),
  );
  ports.sort((a, b) => a - b);
  skipped.sort((a, b) => a.port - b.port);
  return {
    ports,
    skipped,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
