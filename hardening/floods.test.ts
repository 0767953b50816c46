import ngrok from "@ngrok/ngrok";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild, freePort, scratchDatabase } from "./scratch-server";
import { startLauncher, type Launcher } from "./launcher-support";
import { newId } from "../lib/ids";
import { issueSecret } from "../lib/domain/credentials/token-format";
import { REFUSALS_RECORDED_PER_MINUTE } from "../lib/domain/access/authenticate-credential";

/**
 * Floods, from outside, against `npm start` (one instance, a fresh database on the machine's
 * PostgreSQL) run under `ulimit -n 1024`, as on a host where 1,100 half-open SSH connections
 * once exhausted the web process's file descriptors: connections that never finish their
 * handshake (SSH, agents' TLS), silent and slowloris clients on the ingress, more agent sessions
 * and binds than an authtoken may have, many connections from one address to a TCP endpoint.
 * Each flood must get refusals or be closed in time, never a 500 and never an unusable
 * dashboard: /sign-in and an API GET answer quickly while it lasts, and the log has no error.
 * Client addresses 127.0.0.2… are other sources on loopback (Linux routes all of 127/8 to lo).
 */

const REPO = process.cwd();
const AUTH_SECRET = randomBytes(24).toString("hex");
const HANDSHAKE_SECONDS = 6;
const PER_IP = 100;
const SESSIONS_PER_TOKEN = 3;
const BINDS_PER_MINUTE = 5;
const dbName = `botdesk_floods_${Date.now()}_${process.pid}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-floods-"));
let database: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
let pool: pg.Pool;
let launcher: Launcher | undefined;
const ports = { web: 0, ssh: 0, agent: 0, ingress: 0, tcp: 0 };
let base = "";
let apiKey = "";
let accountId = "";
let botId = "";
let caPem = "";
const opened: net.Socket[] = [];

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await pool.query<T>(text, values)).rows;
}

/** The dashboard as a person and a program reach it: the sign-in page and an API GET, each answering 200 within `ms`. */
async function dashboardAnswers(ms = 3_000): Promise<void> {
  for (const [url, init] of [
    [`${base}/sign-in`, {}],
    [`${base}/api/v1/bot_users`, { headers: { Authorization: `Bearer ${apiKey}`, "Ngrok-Version": "2" } }],
  ] as const) {
    const started = Date.now();
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(ms) });
    await res.arrayBuffer();
    expect(res.status, url).toBe(200);
    expect(Date.now() - started, url).toBeLessThan(ms);
  }
}

/** What the server wrote that it should not have: an answer 500, an error, a file descriptor shortage. */
function troubleInLog(): string[] {
  return launcher!
    .output()
    .split("\n")
    .filter((line) => /\b500\b|EMFILE|ENFILE|Unhandled|uncaught|\berror\b/i.test(line));
}

interface Held {
  socket: net.Socket;
  /** Milliseconds from connected to closed (never: still open). */
  closedAfter: Promise<number>;
}

/** A connection from `from` to `port` that sends nothing (or what `send` writes) and reads everything. */
function connect(port: number, from: string): Promise<Held> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress: from });
    opened.push(socket);
    socket.on("error", () => {});
    socket.resume();
    let connectedAt = Date.now();
    const closedAfter = new Promise<number>((done) => socket.once("close", () => done(Date.now() - connectedAt)));
    socket.once("connect", () => {
      connectedAt = Date.now();
      resolve({ socket, closedAfter });
    });
    socket.once("close", () => resolve({ socket, closedAfter }));
  });
}

/** `n` silent connections from each address, opened together. */
async function flood(port: number, addresses: string[], n: number): Promise<Held[]> {
  return (await Promise.all(addresses.map((from) => Promise.all(Array.from({ length: n }, () => connect(port, from)))))).flat();
}

/** How many were closed within `ms` of connecting. */
async function closedWithin(held: Held[], ms: number): Promise<number> {
  const after = await Promise.all(held.map((h) => Promise.race([h.closedAfter, new Promise<number>((r) => setTimeout(() => r(Infinity), ms + 50))])));
  return after.filter((t) => t <= ms).length;
}

function closeAll(): void {
  for (const socket of opened.splice(0)) socket.destroy();
}

function sdk(token: string) {
  return new ngrok.SessionBuilder().authtoken(token).serverAddr(`127.0.0.1:${ports.agent}`).caCert(Buffer.from(caPem)).heartbeatInterval(1).heartbeatTolerance(1);
}

async function refusalCode(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    const message = (error as Error).message;
    return (error as { errorCode?: string }).errorCode ?? /(ERR_NGROK_\d+)/.exec(message)?.[1] ?? message;
  }
  return "accepted";
}

/** A new authtoken for the demo bot, through the API. */
async function authtoken(): Promise<{ id: string; token: string }> {
  const res = await fetch(`${base}/api/v1/credentials`, {
    method: "POST",
    headers: { Authorization: `Bearer ${apiKey}`, "Ngrok-Version": "2", "Content-Type": "application/json" },
    body: JSON.stringify({ owner_id: botId }),
  });
  const body = (await res.json()) as { id: string; token: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body;
}

async function eventCounts(): Promise<Record<string, number>> {
  const rows = await sql<{ type: string; n: number }>("SELECT type, count(*)::int AS n FROM events WHERE account_id = $1 GROUP BY type", [accountId]);
  return Object.fromEntries(rows.map((r) => [r.type, r.n]));
}

beforeAll(async () => {
  ensureBuild(REPO);
  database = await scratchDatabase(dbName, 2);
  pool = database.pool;
  for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
  base = `http://127.0.0.1:${ports.web}`;
  // ulimit -n 1024 (soft and hard, so Node cannot raise it): BOTDESK_MAX_CONNECTIONS is left to its default (768).
  launcher = startLauncher(
    REPO,
    {
      PORT: String(ports.web),
      DATABASE_URL: database.url,
      BOTDESK_DATA_DIR: dataDir,
      BOTDESK_HOST: "127.0.0.1",
      AUTH_SECRET,
      BOTDESK_DEMO: "1",
      BOTDESK_SSH_PORT: String(ports.ssh),
      BOTDESK_AGENT_PORT: String(ports.agent),
      BOTDESK_INGRESS_PORT: String(ports.ingress),
      BOTDESK_TCP_PORTS: `${ports.tcp}-${ports.tcp}`,
      BOTDESK_HANDSHAKE_TIMEOUT_SECONDS: String(HANDSHAKE_SECONDS),
      BOTDESK_MAX_CONNECTIONS_PER_IP: String(PER_IP),
      BOTDESK_AGENT_MAX_SESSIONS_PER_TOKEN: String(SESSIONS_PER_TOKEN),
      BOTDESK_AGENT_MAX_BINDS_PER_MINUTE: String(BINDS_PER_MINUTE),
      BOTDESK_API_MAX_PER_KEY: "100000",
      BOTDESK_API_MAX_PER_ACCOUNT: "100000",
    },
    { before: "ulimit -n 1024" },
  );
  await launcher.waitUntil((out) => out.includes("TCP endpoints on ports") && out.includes("SSH server for agents on port"), 120_000, "TCP endpoints and SSH server");
  const [owner] = await sql<{ id: string; account_id: string }>("SELECT p.id, m.account_id FROM principals p JOIN memberships m ON m.principal_id = p.id WHERE m.role = 'owner' LIMIT 1");
  accountId = owner!.account_id;
  botId = (await sql<{ id: string }>("SELECT id FROM principals WHERE kind = 'bot' AND status = 'active' AND account_id = $1 LIMIT 1", [accountId]))[0]!.id;
  const keyId = newId("apiKey");
  const key = issueSecret("api_key", keyId);
  await sql("INSERT INTO credentials (id, account_id, kind, owner_id, secret_hash, secret_hint) VALUES ($1, $2, 'api_key', $3, $4, $5)", [keyId, accountId, owner!.id, key.hash, key.hint]);
  apiKey = key.token;
  caPem = await (await fetch(`${base}/agent-ca.pem`)).text();
  expect(caPem).toContain("BEGIN CERTIFICATE");
  await dashboardAnswers(10_000);
}, 300_000);

afterAll(async () => {
  closeAll();
  await launcher?.stop();
  await database?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// A failed test's flood must not outlive it (its sockets would fail the next one).
afterEach(async () => {
  closeAll();
  await new Promise((r) => setTimeout(r, 300));
});

describe("floods against npm start (ulimit -n 1024)", () => {
  it("1,100 silent connections to the ingress and the SSH port: those over the process's cap (768 here, both counted) are closed at once; the dashboard answers throughout; the ingress closes the rest at the head timeout", async () => {
    // 100 from each address (the per-address cap), 600 to the ingress and 500 to SSH at once: only the
    // process's cap over both stands between them and the 1,024 descriptors.
    const address = (i: number) => `127.0.0.${i + 2}`;
    const [toIngress, toSsh] = await Promise.all([
      flood(ports.ingress, Array.from({ length: 6 }, (_, i) => address(i)), PER_IP),
      flood(ports.ssh, Array.from({ length: 5 }, (_, i) => address(i + 6)), PER_IP),
    ]);
    const held = [...toIngress, ...toSsh];
    const refusedAtOnce = await closedWithin(held, 1_000);
    expect(refusedAtOnce).toBeGreaterThanOrEqual(1_100 - 768);
    expect(refusedAtOnce).toBeLessThan(1_100 - 500);
    // One more from an address the flood did not use: refused too while the process is full (before the SSH ones time out).
    const extra = await connect(ports.ingress, "127.0.0.99");
    expect(await closedWithin([extra], 1_000)).toBe(1);
    await dashboardAnswers();
    // A slowloris client (its head a byte every 500 ms) is cut off at the head timeout (20 s) like the silent ones.
    closeAll();
    await new Promise((r) => setTimeout(r, 300));
    const slow = await connect(ports.ingress, "127.0.0.50");
    const head = "GET / HTTP/1.1\r\nHost: a.tunnel.localhost\r\nX-Slow: " + "x".repeat(100);
    let i = 0;
    const trickle = setInterval(() => (slow.socket.writable && i < head.length ? slow.socket.write(head[i++]!) : clearInterval(trickle)), 500);
    const silent = await flood(ports.ingress, ["127.0.0.51"], 20);
    const slowClosed = await slow.closedAfter;
    clearInterval(trickle);
    expect(slowClosed).toBeGreaterThan(15_000);
    expect(slowClosed).toBeLessThan(23_000);
    expect(await closedWithin(silent, 23_000)).toBe(20);
    // A head over 16 KiB is refused (431), not served and not a 500.
    const big = await fetch(`http://127.0.0.1:${ports.ingress}/`, { headers: { Host: "a.tunnel.localhost", "X-Big": "y".repeat(20_000) } });
    expect(big.status).toBe(431);
    await dashboardAnswers();
  });

  it("300 connections to the SSH port that never send their banner: over the per-address cap closed at once, the rest after the handshake timeout; SSH still serves", async () => {
    const held = await flood(ports.ssh, ["127.0.0.2", "127.0.0.3"], 150);
    // 50 of each address's 150 are over the cap.
    expect(await closedWithin(held, 1_000)).toBe(100);
    await dashboardAnswers();
    const afterTimeout = await closedWithin(held, HANDSHAKE_SECONDS * 1000 + 2_000);
    expect(afterTimeout).toBe(300);
    // The server answers a new client with its banner.
    const banner = await new Promise<string>((resolve, reject) => {
      const s = net.connect(ports.ssh, "127.0.0.1");
      s.once("data", (d: Buffer) => {
        resolve(d.toString());
        s.destroy();
      });
      s.once("error", reject);
    });
    expect(banner).toMatch(/^SSH-2\.0-Botdesk/);
    await dashboardAnswers();
  });

  it("300 connections to the agent port that never finish TLS: over the per-address cap closed at once, the rest after the handshake timeout; agents still connect", async () => {
    const held = await flood(ports.agent, ["127.0.0.4", "127.0.0.5", "127.0.0.6"], 100 + 1);
    expect(await closedWithin(held, 1_000)).toBe(3);
    await dashboardAnswers();
    expect(await closedWithin(held, HANDSHAKE_SECONDS * 1000 + 2_000)).toBe(303);
    const { token } = await authtoken();
    const session = await sdk(token).connect();
    await session.close();
  });

  it("an authtoken opening more sessions than its cap gets ERR_NGROK_108, binding more than its per-minute cap ERR_NGROK_5001, and the refusals write no events", async () => {
    const { token } = await authtoken();
    const before = await eventCounts();
    const sessions = [];
    for (let i = 0; i < SESSIONS_PER_TOKEN; i++) sessions.push(await sdk(token).connect());
    try {
      // 30 more, ten at a time.
      const codes: string[] = [];
      for (let round = 0; round < 3; round++) codes.push(...(await Promise.all(Array.from({ length: 10 }, () => refusalCode(sdk(token).connect())))));
      expect(new Set(codes)).toEqual(new Set(["ERR_NGROK_108"]));
      const binds: string[] = [];
      for (let i = 0; i < BINDS_PER_MINUTE + 20; i++) binds.push(await refusalCode(sessions[i % SESSIONS_PER_TOKEN]!.httpEndpoint().listenAndForward("http://127.0.0.1:9")));
      expect(binds.slice(0, BINDS_PER_MINUTE).every((b) => b === "accepted")).toBe(true);
      expect(new Set(binds.slice(BINDS_PER_MINUTE))).toEqual(new Set(["ERR_NGROK_5001"]));
      await dashboardAnswers();
    } finally {
      for (const s of sessions) await s.close();
    }
    // What was done is recorded; the 50 refusals are not: the events grew by the 3 sessions and 5 binds (and their ends) only.
    const after = await eventCounts();
    const grown = Object.entries(after).map(([type, n]) => [type, n - (before[type] ?? 0)] as const).filter(([, n]) => n > 0);
    expect(grown.reduce((sum, [, n]) => sum + n, 0)).toBeLessThanOrEqual(2 * (SESSIONS_PER_TOKEN + BINDS_PER_MINUTE));
    // A revoked token retried 40 times: refused each time, recorded at most REFUSALS_RECORDED_PER_MINUTE times.
    const revoked = await authtoken();
    // Revoked as the dashboard revokes it (the API has no revoke): the secret still matches, so its refusals are recorded.
    await sql("UPDATE credentials SET revoked_at = now() WHERE id = $1", [revoked.id]);
    const retries = await Promise.all(Array.from({ length: 40 }, () => refusalCode(sdk(revoked.token).connect())));
    expect(new Set(retries)).toEqual(new Set(["ERR_NGROK_300"]));
    const refused = await sql<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE account_id = $1 AND type = 'credential.refused'", [accountId]);
    expect(refused[0]!.n).toBeLessThanOrEqual(REFUSALS_RECORDED_PER_MINUTE);
  });

  it("a TCP endpoint: one address over its cap is closed at once while another address still gets through", async () => {
    const echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const { token } = await authtoken();
    const session = await sdk(token).connect();
    try {
      const tunnel = await session.tcpEndpoint().listenAndForward(`tcp://127.0.0.1:${(echo.address() as AddressInfo).port}`);
      expect(new URL(tunnel.url()!).port).toBe(String(ports.tcp));
      const held = await flood(ports.tcp, ["127.0.0.7"], PER_IP + 20);
      expect(await closedWithin(held, 1_000)).toBe(20);
      const other = await connect(ports.tcp, "127.0.0.8");
      const echoed = await new Promise<string>((resolve) => {
        other.socket.once("data", (d: Buffer) => resolve(d.toString()));
        other.socket.write("still served");
      });
      expect(echoed).toBe("still served");
      await dashboardAnswers();
    } finally {
      closeAll();
      await session.close();
      echo.close();
    }
  });

  it("after the floods the log has no 500, no error and no file descriptor shortage", () => {
    expect(troubleInLog()).toEqual([]);
    // Refusals were said in a few lines, not one per connection.
    expect(launcher!.output().split("\n").filter((l) => /refused \d+ connections|refused a connection/.test(l)).length).toBeLessThan(20);
  });
});
