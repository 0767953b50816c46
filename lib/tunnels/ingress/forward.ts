import http from "node:http";
import type { Duplex } from "node:stream";
import { endpointForHost, type LiveEndpoint } from "@/lib/tunnels/registry/live-endpoints";
import { meteredStream } from "@/lib/tunnels/metering/metered-stream";
import type { TrafficMeter } from "@/lib/tunnels/metering/traffic-meter";
import { ForwardedEndpointOffline } from "@/lib/tunnels/forwarder/open-forwarded";
import { AnswerReader } from "./answer-reader";
import { agentUnreachable, endpointOffline, rawAnswer, type IngressAnswer } from "./error-answers";

/** Headers that describe one hop, not the message (RFC 9110 7.6.1): never passed on. Upgrade requests keep Connection and Upgrade. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"]);
/** The longest answer head an agent may send to an upgrade request. */
const MAX_UPGRADE_HEAD_BYTES = 64 * 1024;
const CRLF = Buffer.from("\r\n");
/** The longest answer head an agent may send to a request. */
const MAX_ANSWER_HEAD_BYTES = 64 * 1024;

export interface ForwardContext {
  proto: "http" | "https";
  meter: TrafficMeter;
  lookup?: (host: string) => LiveEndpoint | undefined;
  /** Where a Host not served in this process is served by another instance (lib/tunnels/forwarder); unset: nowhere. */
  remote?: (host: string) => Promise<LiveEndpoint | undefined>;
  log: (line: string) => void;
}

/**
 * The endpoint serving `host`: this process's own, else (ctx.remote) one
 * another instance holds, reached through the forwarder. Looked up per
 * request. A failed database read is said and counts as no endpoint.
 */
async function endpointFor(host: string, ctx: ForwardContext): Promise<LiveEndpoint | undefined> {
  const local = (ctx.lookup ?? endpointForHost)(host);
  if (local || !ctx.remote) return local;
  return ctx.remote(host).catch((error: unknown) => {
    ctx.log(`ingress: ${host.slice(0, 253)}: looking up its instance failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
}

/** What the client is told when the stream could not be opened: offline (ERR_NGROK_3200) when the holding instance is gone, else 502. */
function openFailure(host: string, error: unknown): IngressAnswer {
  return error instanceof ForwardedEndpointOffline ? endpointOffline(host) : agentUnreachable();
}

/** The client's address as a person reads it (`::ffff:1.2.3.4` → `1.2.3.4`). */
export function clientAddress(socket: { remoteAddress?: string }): string {
  return (socket.remoteAddress ?? "").replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
}

/** The request's headers as passed to the agent: hop-by-hop ones dropped (also those `Connection` names), X-Forwarded-* added as ngrok does. */
function forwardedHeaders(req: http.IncomingMessage, proto: string, keepUpgrade: boolean): string[] {
  const named = new Set(String(req.headers.connection ?? "").toLowerCase().split(",").map((s) => s.trim()).filter(Boolean));
  const out: string[] = [];
  let forwardedFor = "";
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (lower === "x-forwarded-for") {
      forwardedFor += `${forwardedFor ? ", " : ""}${req.rawHeaders[i + 1]}`;
      continue;
    }
    if (lower === "x-forwarded-proto" || lower === "x-forwarded-host") continue;
    const upgradeHeader = lower === "connection" || lower === "upgrade";
    if (keepUpgrade && upgradeHeader) {
      out.push(name, req.rawHeaders[i + 1]!);
      continue;
    }
    if (HOP_BY_HOP.has(lower) || (named.has(lower) && !upgradeHeader)) continue;
    out.push(name, req.rawHeaders[i + 1]!);
  }
  const client = clientAddress(req.socket);
  out.push("X-Forwarded-For", forwardedFor ? `${forwardedFor}, ${client}` : client);
  out.push("X-Forwarded-Proto", proto);
  if (req.headers.host) out.push("X-Forwarded-Host", req.headers.host);
  return out;
}

/** The agent's answer headers as passed to the client: hop-by-hop ones dropped (node's server sets its own Connection). */
function answerHeaders(rawHeaders: string[]): string[] {
  let connection = "";
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === "connection") connection += `,${rawHeaders[i + 1]}`;
  const named = new Set(connection.toLowerCase().split(",").map((s) => s.trim()).filter(Boolean));
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const lower = rawHeaders[i]!.toLowerCase();
    if (HOP_BY_HOP.has(lower) || named.has(lower)) continue;
    out.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return out;
}

function send(res: http.ServerResponse, a: IngressAnswer): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(a.status, a.headers);
  res.end(a.body);
}

/** Opens a metered stream to the endpoint's agent for one request; counts the request (a forwarded one is counted where its agent is). */
async function openMetered(endpoint: LiveEndpoint, ctx: ForwardContext, clientAddr: string): Promise<Duplex> {
  if (endpoint.forwarded) return endpoint.open({ clientAddr, proto: ctx.proto });
  ctx.meter.count(endpoint, { requests: 1 });
  const inner = await endpoint.open({ clientAddr, proto: ctx.proto });
  return meteredStream(inner, (direction, n) => ctx.meter.count(endpoint, direction === "in" ? { bytesIn: n } : { bytesOut: n }));
}

/** Counts bytes carried for an endpoint: `in` written to the agent, `out` read from it. */
type Counter = (direction: "in" | "out", n: number) => void;

/**
 * Opens a stream to the endpoint's agent for one HTTP request and counts the request; its bytes are
 * counted by the caller through `count` as it writes and reads them (no wrapping stream between). A
 * forwarded one is counted where its agent is: no counter.
 */
async function openStream(endpoint: LiveEndpoint, ctx: ForwardContext, clientAddr: string): Promise<{ stream: Duplex; count?: Counter }> {
  if (endpoint.forwarded) return { stream: await endpoint.open({ clientAddr, proto: ctx.proto }) };
  ctx.meter.count(endpoint, { requests: 1 });
  const stream = await endpoint.open({ clientAddr, proto: ctx.proto });
  return { stream, count: (direction, n) => ctx.meter.count(endpoint, direction === "in" ? { bytesIn: n } : { bytesOut: n }) };
}

/**
 * One request, routed by its Host header and forwarded on a stream of its own
 * to the endpoint's agent: the request head and body written raw (`Connection:
 * close` upstream), the answer read only as far as its head and framing
 * (answer-reader.ts) and streamed back. Routing each request, not each
 * connection, is what keeps a keep-alive connection that names another host
 * from reaching the wrong agent. An endpoint held by another instance is
 * reached through it (ctx.remote, lib/tunnels/forwarder) the same way. No
 * endpoint, or its instance gone: ERR_NGROK_3200 (404); the agent lost before
 * it answered: 502; lost after: the client's connection is cut.
 */
export function forwardRequest(req: http.IncomingMessage, res: http.ServerResponse, ctx: ForwardContext): void {
  const host = req.headers.host ?? "";
  const local = (ctx.lookup ?? endpointForHost)(host);
  if (local) return forwardRequestTo(local, req, res, ctx);
  void endpointFor(host, ctx).then((endpoint) => {
    if (res.destroyed) return;
    if (!endpoint) return send(res, endpointOffline(host));
    forwardRequestTo(endpoint, req, res, ctx);
  });
}

function forwardRequestTo(endpoint: LiveEndpoint, req: http.IncomingMessage, res: http.ServerResponse, ctx: ForwardContext): void {
  const host = req.headers.host ?? "";
  const clientAddr = clientAddress(req.socket);
  let upstream: Duplex | undefined;
  let answered = false;
  let done = false;
  const fail = (error: unknown) => {
    if (answered) return;
    answered = true;
    ctx.log(`ingress: ${host}: the agent did not answer: ${error instanceof Error ? error.message : String(error)}`);
    req.unpipe();
    req.resume();
    send(res, openFailure(host, error));
  };
  res.on("close", () => {
    // The client went before the answer was done: release the agent's stream.
    if (!done && upstream && !upstream.destroyed) upstream.destroy();
  });
  openStream(endpoint, ctx, clientAddr).then(({ stream, count }) => {
    if (res.destroyed) return void stream.destroy();
    upstream = stream;
    let corked = false;
    const uncork = () => {
      corked = false;
      res.uncork();
    };
    const reader = new AnswerReader(
      {
        head: (head) => {
          // A status or header node's server will not send (an invalid character) throws here: 502, as before.
          res.writeHead(head.status, head.statusText, answerHeaders(head.rawHeaders));
          answered = true;
        },
        body: (chunk) => {
          // The frames of one read from the agent go to the client in one write (writev), not one each.
          if (!corked) {
            corked = true;
            res.cork();
            process.nextTick(uncork);
          }
          if (!res.write(chunk)) stream.pause();
        },
        end: () => {
          done = true;
          res.end();
          // As node's client did after an answer to `Connection: close`: end this side (FIN), then let the stream
          // go (a RST only if the agent has not ended its side by then). A RST after both FINs upsets the agent.
          stream.end();
          stream.once("finish", () => stream.destroy());
        },
      },
      { headRequest: req.method === "HEAD", maxHeadBytes: MAX_ANSWER_HEAD_BYTES },
    );
    // An answer the agent got wrong, or cut short: 502 before its head, the client's connection cut after.
    const broken = (error: unknown) => {
      if (done) return;
      done = true;
      stream.destroy();
      if (!answered) fail(error);
      else res.destroy();
    };
    res.on("drain", () => stream.resume());
    stream.on("data", (chunk: Buffer) => {
      if (done) return;
      count?.("out", chunk.length);
      try {
        reader.push(chunk);
      } catch (error) {
        broken(error);
      }
    });
    stream.on("end", () => {
      try {
        reader.eof();
      } catch (error) {
        broken(error);
      }
    });
    stream.on("error", broken);
    stream.on("close", () => broken(Object.assign(new Error("the agent closed the stream"), { code: "ECONNRESET" })));
    sendRequest(req, stream, ctx.proto, count);
  }, fail);
}

/**
 * Writes the request to the agent's stream as received: its head (hop-by-hop
 * headers dropped, X-Forwarded-* added, `Connection: close`: one request per
 * stream), then its body raw (a chunked body chunked again: node's server
 * hands it on decoded). The stream is not ended: the agent answers first.
 */
function sendRequest(req: http.IncomingMessage, stream: Duplex, proto: string, count: Counter | undefined): void {
  const headers = forwardedHeaders(req, proto, false);
  headers.push("Connection", "close");
  const chunked = req.headers["transfer-encoding"] !== undefined;
  const write = (data: Buffer) => {
    count?.("in", data.length);
    return stream.write(data);
  };
  write(Buffer.from(rawHead(`${req.method} ${req.url} HTTP/1.1`, headers), "latin1"));
  if (req.readableEnded) return;
  req.on("data", (chunk: Buffer) => {
    if (chunk.length === 0) return;
    const more = write(chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, CRLF]) : chunk);
    if (!more) req.pause();
  });
  stream.on("drain", () => req.resume());
  if (chunked) req.on("end", () => void write(Buffer.from("0\r\n\r\n")));
}

/** The head of an HTTP message (start line and headers) as raw bytes. */
function rawHead(startLine: string, headers: string[]): string {
  let head = `${startLine}\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${head}\r\n`;
}

/**
 * An `Upgrade` request (a WebSocket): forwarded on a stream of its own with
 * its Connection/Upgrade headers; when the agent answers 101 the two sides are
 * piped raw from then on (the connection now belongs to this endpoint). Any
 * other answer is passed on and the connection closed after it, so no later
 * request on it can reach this agent unrouted.
 */
export function forwardUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, ctx: ForwardContext): void {
  const host = req.headers.host ?? "";
  socket.on("error", () => socket.destroy());
  void endpointFor(host, ctx).then((endpoint) => {
    if (socket.destroyed) return;
    if (!endpoint) return void socket.end(rawAnswer(endpointOffline(host)));
    upgradeTo(endpoint, req, socket, head, ctx);
  });
}

function upgradeTo(endpoint: LiveEndpoint, req: http.IncomingMessage, socket: Duplex, head: Buffer, ctx: ForwardContext): void {
  const host = req.headers.host ?? "";
  const clientAddr = clientAddress(req.socket);
  openMetered(endpoint, ctx, clientAddr).then(
    (stream) => {
      if (socket.destroyed) return void stream.destroy();
      stream.write(rawHead(`${req.method} ${req.url} HTTP/1.1`, forwardedHeaders(req, ctx.proto, true)));
      if (head.length) stream.write(head);
      let buffered = Buffer.alloc(0);
      const onHead = (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        const end = buffered.indexOf("\r\n\r\n");
        if (end < 0) {
          if (buffered.length > MAX_UPGRADE_HEAD_BYTES) stream.destroy();
          return;
        }
        stream.off("data", onHead);
        stream.pause();
        const switched = /^HTTP\/1\.[01] 101[ \r]/.test(buffered.subarray(0, end).toString("latin1"));
        socket.write(buffered);
        if (switched) {
          stream.pipe(socket);
          socket.pipe(stream);
          stream.resume();
        } else {
          // Not upgraded: the answer goes through as it came, then the connection closes: at its Content-Length's
          // end, or when the agent ends its stream. The client's further bytes are dropped, never sent unrouted.
          socket.resume();
          const length = /\r\ncontent-length:[ \t]*(\d{1,15})[ \t]*\r\n/i.exec(`${buffered.subarray(0, end + 2).toString("latin1")}`);
          let left = length ? Number(length[1]) - (buffered.length - end - 4) : Infinity;
          const done = () => {
            socket.end();
            stream.destroy();
          };
          if (left <= 0) return done();
          stream.on("data", (chunk: Buffer) => {
            left -= chunk.length;
            socket.write(chunk);
            if (left <= 0) done();
          });
          stream.on("end", done);
          stream.resume();
        }
      };
      stream.on("data", onHead);
      stream.on("error", () => {
        if (buffered.length === 0 && !socket.destroyed) socket.end(rawAnswer(agentUnreachable()));
        else socket.destroy();
      });
      stream.on("close", () => socket.destroy());
      socket.on("close", () => stream.destroy());
    },
    (error: unknown) => socket.end(rawAnswer(openFailure(host, error))),
  );
}
