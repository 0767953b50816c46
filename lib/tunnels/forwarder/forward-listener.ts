import { randomBytes } from "node:crypto";
import net from "node:net";
import type { Duplex } from "node:stream";
import { endpointForHost, endpointForPort, type LiveEndpoint } from "@/lib/tunnels/registry/live-endpoints";
import { meteredStream } from "@/lib/tunnels/metering/metered-stream";
import { trafficMeter, type TrafficMeter } from "@/lib/tunnels/metering/traffic-meter";
import { decodeHeader, MAGIC, NONCE_BYTES, STATUS, type ForwardHeader } from "./protocol";

export const FORWARD_LISTENER_LIMITS = {
  /** Forwarded streams held at once; more are closed on accept. */
  maxConnections: 4096,
  /** Time a sender has to send its whole header. */
  headerTimeoutMs: 5_000,
};

export interface ForwardListenerOptions {
  /** forwardingKey(AUTH_SECRET): a sender must prove it holds the same. */
  key: Buffer;
  meter?: TrafficMeter;
  /** Where a header's endpoint is served in this process (default: the registry, by hostname or port). */
  lookup?: (header: ForwardHeader) => LiveEndpoint | undefined;
  limits?: Partial<typeof FORWARD_LISTENER_LIMITS>;
  log?: (line: string) => void;
}

export type ForwardListener = net.Server & { stop(): Promise<void> };

function localEndpoint(header: ForwardHeader): LiveEndpoint | undefined {
  return header.proto === "tcp" ? endpointForPort(header.port!) : endpointForHost(header.hostname!);
}

/**
 * The holding side of the instance-to-instance forwarder (protocol.ts): another
 * instance that received a request (or TCP connection) for an endpoint whose
 * agent is connected HERE sends it on a connection of its own; once its MAC is
 * right, the stream to the agent is opened with the ORIGINAL client's address
 * and the bytes are piped both ways. Traffic is metered here, where the agent
 * is (the sender meters nothing of it): counted once, as if it had arrived
 * here. Only this process's own endpoints are served: nothing is forwarded on.
 */
export function createForwardListener(opts: ForwardListenerOptions): ForwardListener {
  const limits = { ...FORWARD_LISTENER_LIMITS, ...opts.limits };
  const meter = opts.meter ?? trafficMeter();
  const lookup = opts.lookup ?? localEndpoint;
  const log = opts.log ?? (() => {});
  const sockets = new Set<net.Socket>();

  const serve = (socket: net.Socket) => {
    socket.setNoDelay(true);
    socket.on("error", () => socket.destroy());
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    const nonce = randomBytes(NONCE_BYTES);
    socket.write(Buffer.concat([MAGIC, nonce]));
    const timer = setTimeout(() => socket.destroy(), limits.headerTimeoutMs);
    timer.unref();
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const decoded = decodeHeader(opts.key, nonce, buffered);
      if (decoded.kind === "incomplete") return;
      socket.off("data", onData);
      socket.pause();
      clearTimeout(timer);
      if (decoded.kind === "refused") {
        log(`forwarder: refused a connection from ${socket.remoteAddress ?? "?"}: ${decoded.why}`);
        return void socket.end(Buffer.of(STATUS.refused));
      }
      const { header } = decoded;
      const endpoint = lookup(header);
      if (!endpoint || endpoint.endpointId !== header.endpointId) return void socket.end(Buffer.of(STATUS.notHere));
      const rest = buffered.subarray(decoded.used);
      void open(socket, endpoint, header, rest);
    };
    socket.on("data", onData);
  };

  const open = async (socket: net.Socket, endpoint: LiveEndpoint, header: ForwardHeader, rest: Buffer) => {
    // One forwarded HTTP(S) stream is one request (or one upgrade), as the ingress counts them.
    if (header.proto !== "tcp") meter.count(endpoint, { requests: 1 });
    let stream: Duplex;
    try {
      const inner = await endpoint.open({ clientAddr: header.clientAddr, proto: header.proto });
      stream = meteredStream(inner, (direction, n) => meter.count(endpoint, direction === "in" ? { bytesIn: n } : { bytesOut: n }));
    } catch (error) {
      log(`forwarder: ${header.hostname ?? `port ${header.port}`}: the agent could not be reached: ${error instanceof Error ? error.message : String(error)}`);
      return void socket.end(Buffer.of(STATUS.agentUnreachable));
    }
    if (socket.destroyed) return void stream.destroy();
    socket.write(Buffer.of(STATUS.ok));
    if (rest.length) stream.write(rest);
    // Each side's end is passed on (half-close: a sender's request ends, then the answer comes); an error or a
    // close without an end cuts the other side. A stream that ended leaves the socket to flush and end.
    stream.on("error", () => socket.destroy());
    stream.on("close", () => {
      if (!stream.readableEnded) socket.destroy();
    });
    socket.on("close", () => stream.destroy());
    socket.pipe(stream);
    stream.pipe(socket);
    socket.resume();
  };

  const server = net.createServer({ allowHalfOpen: true }, serve);
  server.maxConnections = limits.maxConnections;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return Object.assign(server, { stop });
}
