import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type tls from "node:tls";
import type { LiveEndpoint } from "@/lib/tunnels/registry/live-endpoints";
import { trafficMeter, type TrafficMeter } from "@/lib/tunnels/metering/traffic-meter";
import { forwardRequest, forwardUpgrade, type ForwardContext } from "./forward";
import { createConnectionGate } from "@/lib/server/connection-gate";

/** The ingress's limits against slow or too many clients; each can be lowered for a test. */
export const INGRESS_LIMITS = {
  /** Connections held at once (counted under the process's cap, lib/server/connection-gate.ts); more are closed at once. */
  maxConnections: 4096,
  /** Connections one client address may hold at once, so one client cannot take the whole cap (BOTDESK_MAX_CONNECTIONS_PER_IP). */
  maxConnectionsPerIp: 256,
  /** The largest request head (node's maxHeaderSize): larger answers 431. */
  maxHeaderBytes: 16 * 1024,
  /** Time a client has to send a request's whole head (slowloris). */
  headersTimeoutMs: 20_000,
  /** Time a client has to send a whole request, body included (0: no limit). */
  requestTimeoutMs: 300_000,
  /** A keep-alive connection with no request is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /** A connection with no bytes either way (a request waiting on a silent agent too) is closed after this. */
  idleTimeoutMs: 120_000,
  /** How often node's server checks the head and request timeouts. */
  checkIntervalMs: 1_000,
};

export interface IngressOptions {
  /** Given: HTTPS with this certificate (HTTP/1.1 only, each request routed by its Host); else plain HTTP. */
  tls?: tls.SecureContextOptions;
  limits?: Partial<typeof INGRESS_LIMITS>;
  meter?: TrafficMeter;
  /** Where a Host is served (default: this process's registry, endpointForHost). */
  lookup?: (host: string) => LiveEndpoint | undefined;
  /** Where a Host not served here is served by another instance (lib/tunnels/forwarder's remoteLookup); unset: nowhere. */
  remote?: (host: string) => Promise<LiveEndpoint | undefined>;
  log?: (line: string) => void;
}

export type IngressServer = (http.Server | https.Server) & { stop(): Promise<void> };

/**
 * The public listener for agents' HTTP(S) endpoints: routes each request by
 * its Host header to the live endpoint serving it (lib/tunnels/registry) and
 * carries it on a stream the endpoint opens to its agent (forward.ts); counts
 * every byte each way and every request into the traffic meter. It has no
 * rule of its own: what may be bound, and by whom, was decided at the bind.
 */
export function createIngressServer(opts: IngressOptions = {}): IngressServer {
  const limits = { ...INGRESS_LIMITS, ...opts.limits };
  const ctx: ForwardContext = { proto: opts.tls ? "https" : "http", meter: opts.meter ?? trafficMeter(), lookup: opts.lookup, remote: opts.remote, log: opts.log ?? (() => {}) };
  const serverOptions: http.ServerOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.checkIntervalMs,
  };
  /** Connections that sent a whole request head (the first-head timer below spares them). */
  const spoke = new WeakSet<object>();
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    spoke.add(req.socket);
    forwardRequest(req, res, ctx);
  };
  const server: http.Server | https.Server = opts.tls
    ? // HTTP/1.1 only: a browser never reuses one host's connection for another's (there is no HTTP/2 coalescing to route).
      https.createServer({ ...serverOptions, ...opts.tls, ALPNProtocols: ["http/1.1"] }, handle)
    : http.createServer(serverOptions, handle);
  server.timeout = limits.idleTimeoutMs;
  server.on("upgrade", (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    spoke.add(socket);
    // An upgraded connection may idle for long (a WebSocket): the idle limit was for requests.
    socket.setTimeout(0);
    forwardUpgrade(req, socket, head, ctx);
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || error.code === "ECONNRESET") return void socket.destroy();
    const status = error.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? "408 Request Timeout" : "400 Bad Request";
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  // Node's own head timeout runs from a periodic check that was seen not to fire in a busy process: a connection
  // that has not sent its first whole head within headersTimeoutMs is also closed by a timer of its own.
  server.on(opts.tls ? "secureConnection" : "connection", (socket: Socket) => {
    const timer = setTimeout(() => {
      if (!spoke.has(socket)) socket.destroy();
    }, limits.headersTimeoutMs);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  });
  const sockets = new Set<Socket>();
  const gate = createConnectionGate({ total: limits.maxConnections, perAddress: limits.maxConnectionsPerIp, name: "ingress", log: ctx.log });
  server.on("connection", (socket: Socket) => {
    if (!gate.admit(socket)) return void socket.destroy();
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return Object.assign(server, { stop });
}
