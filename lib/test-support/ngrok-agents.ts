import ngrok from "@ngrok/ngrok";
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import type { Duplex } from "node:stream";
import { afterAll, beforeAll } from "vitest";
import { db } from "@/lib/db/client";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { createAgentListener, type AgentListener } from "@/lib/tunnels/agent/agent-listener";
import { MuxadoSession, openTypedStream, readJson, StreamType } from "@/lib/tunnels/muxado";
import { createAgentTls, type AgentTls } from "@/lib/tunnels/tls/agent-tls";
import { actorOf, createTestAccount, createTestBot } from "./factories";

export const NO_CTX = { ip: null, userAgent: null };
/** The tunnel domain of the test listener, and its TCP ports. */
export const DOMAIN = "tunnel.test";
/** TEST_TCP_PORTS_FROM moves the range when two checkouts test side by side on one machine. */
const TCP_FROM = Number(process.env.TEST_TCP_PORTS_FROM ?? 39100);
export const TCP_PORTS = { from: TCP_FROM, to: TCP_FROM + 9 };
/** The credential re-check of the test listener (production: every 30 s). */
export const RECHECK_MS = 300;
/** What the local service answers to POST /big. */
export const BIG = randomBytes(8 * 1024 * 1024);

export interface AgentListenerHarness {
  agentTls: AgentTls;
  listener: AgentListener;
  /** `127.0.0.1:<port>`: the SDK's server_addr. */
  serverAddr: string;
  /** The agent's local service: answers `local service: METHOD URL host=… body=…`; POST /big: 8 MiB (BIG) and the upload's digest; GET /endless: bytes until the connection goes. */
  localPort: number;
}

/**
 * A listener for ngrok's agents on 127.0.0.1 (a fresh agent CA in this test
 * file's database, short re-check and handshake timeouts, 3 sessions per
 * token) and a local HTTP service for agents to forward to: started before
 * the file's tests, stopped after them.
 */
export function withAgentListener(opts: { recheckMs?: number } = {}): AgentListenerHarness {
  const harness = {} as AgentListenerHarness;
  let local: http.Server;
  beforeAll(async () => {
    await db().$executeRaw`DELETE FROM server_keys`;
    harness.agentTls = await createAgentTls();
    harness.listener = createAgentListener({
      tls: harness.agentTls,
      domain: DOMAIN,
      publicUrl: (hostname) => `http://${hostname}:8000`,
      tcpPorts: TCP_PORTS,
      recheckMs: opts.recheckMs ?? RECHECK_MS,
      handshakeTimeoutMs: 1_000,
      maxSessionsPerToken: 3,
    });
    await new Promise<void>((resolve) => harness.listener.listen(0, "127.0.0.1", resolve));
    harness.serverAddr = `127.0.0.1:${(harness.listener.address() as AddressInfo).port}`;
    local = http.createServer((req, res) => {
      if (req.url === "/big") {
        const hash = createHash("sha256");
        req.on("data", (c: Buffer) => hash.update(c));
        req.on("end", () => {
          res.writeHead(200, { "content-length": BIG.length, "x-upload-sha256": hash.digest("hex") });
          res.end(BIG);
        });
        return;
      }
      if (req.url === "/endless") {
        // A transfer that only ends when the tunnel does: 64 KiB every 20 ms.
        res.writeHead(200, { "content-type": "application/octet-stream" });
        const chunk = Buffer.alloc(64 * 1024, 1);
        const timer = setInterval(() => res.write(chunk), 20);
        res.on("close", () => clearInterval(timer));
        return;
      }
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => res.end(`local service: ${req.method} ${req.url} host=${req.headers.host} body=${body}`));
    });
    await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
    harness.localPort = (local.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await harness.listener?.stop();
    await new Promise((resolve) => harness.listener?.close(resolve));
    harness.agentTls?.close();
    local?.close();
  });
  return harness;
}

/** A new account whose owner made a bot with an authtoken (ACL `acl`). */
export async function botWithToken(acl: string[] = []) {
  const { account, owner } = await createTestAccount();
  const admin = actorOf(account, owner, "owner");
  const bot = await createTestBot(account.id);
  const created = await createCredential(admin, { kind: "authtoken", ownerId: bot.id, acl }, NO_CTX);
  if (!created.ok) throw new Error(created.message);
  return { account, admin, bot, token: created.data.token!, credentialId: created.data.credential.id };
}

/** @ngrok/ngrok's session builder pointed at the harness, heartbeating every second (1 s tolerance). */
export function sdkSession(harness: AgentListenerHarness, token: string) {
  return new ngrok.SessionBuilder()
    .authtoken(token)
    .serverAddr(harness.serverAddr)
    .caCert(Buffer.from(harness.agentTls.caPem!))
    .metadata("billing worker")
    .heartbeatInterval(1)
    .heartbeatTolerance(1);
}

/** The SDK's refusal: the ERR_NGROK_<n> it found in the server's text, and its message. */
export async function refusal(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await work;
  } catch (error) {
    const message = (error as Error).message;
    // connect() sets errorCode; a refused listener says it only in its message ("error_code: ERR_NGROK_319").
    return { code: (error as { errorCode?: string }).errorCode ?? /error_code: (ERR_NGROK_\d+)/.exec(message)?.[1] ?? "", message };
  }
  throw new Error("expected a refusal");
}

export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const latestSession = (accountId: string) => db().tunnelSession.findFirst({ where: { accountId }, orderBy: { id: "desc" } });
export const eventsOf = (accountId: string, type: string) => db().event.findMany({ where: { accountId, type }, orderBy: { id: "asc" } });

/** Sends one HTTP request through a stream the registry opened and reads the whole answer (Connection: close). */
export function roundTrip(stream: Duplex, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.once("end", () => resolve(Buffer.concat(chunks).toString()));
    stream.once("error", reject);
    stream.write(request);
  });
}

/**
 * An agent that speaks the protocol by hand, as ngrok-go does (its Auth carries
 * `Authtoken` and `Hostname`, which @ngrok/ngrok 1.7.0 does not send): TLS to
 * the harness, a muxado client session, one Auth stream. Returns the AuthResp
 * and the way to hang up.
 */
export async function rawAuth(harness: AgentListenerHarness, message: unknown): Promise<{ answer: Record<string, unknown>; close: () => void }> {
  const [host, port] = harness.serverAddr.split(":");
  const socket = tls.connect({ host, port: Number(port), ca: harness.agentTls.caPem!, servername: "localhost" });
  socket.on("error", () => {});
  await new Promise((resolve, reject) => {
    socket.once("secureConnect", resolve);
    socket.once("close", () => reject(new Error("the listener closed the connection before TLS was done")));
  });
  const session = new MuxadoSession(socket, { side: "client" });
  const stream = openTypedStream(session, StreamType.AUTH);
  stream.write(JSON.stringify(message));
  const answer = (await readJson(stream, { timeoutMs: 5_000 })) as Record<string, unknown>;
  return { answer, close: () => socket.destroy() };
}
