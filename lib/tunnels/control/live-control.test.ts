import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ngrok } from "@ngrok/ngrok-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { deleteBots } from "@/lib/domain/bots/delete-bots";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { revokeCredentials } from "@/lib/domain/credentials/revoke-credentials";
import { createAgentSshServer } from "@/lib/ssh/agent-ssh-server";
import { tunnelSessionRoutes } from "@/lib/api/tunnel-sessions";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "@/lib/test-support/factories";
import { botWithSshKey } from "@/lib/test-support/ssh-agents";
import { createIngressServer, type IngressServer } from "@/lib/tunnels/ingress/ingress-server";
import { endpointForHost } from "@/lib/tunnels/registry/live-endpoints";
import pg from "pg";
import { readEnv } from "@/lib/env";
import { CONTROL_CHANNEL, controlListenerPid, parseNotice, stopControlListener } from "./control-listener";
import { describeEndReason } from "./end-reason";
import { heldSessionIds } from "./held-sessions";
import { generateEd25519Key } from "@/lib/ssh/ed25519-key";

// Real parts only: the SSH server with OpenSSH's `ssh -R`, the ingress on a real socket, the test
// database's triggers and NOTIFY. The key re-check runs once an HOUR here, so only a notification
// can explain a session ending within a second.
const NO_CTX = { ip: null, userAgent: null };
const HEARTBEAT_MS = 3_600_000;
const dir = mkdtempSync(path.join(tmpdir(), "botdesk-control-test-"));
let sshServer: ReturnType<typeof createAgentSshServer>;
let sshPort = 0;
let ingress: IngressServer;
let ingressPort = 0;
let local: http.Server;
/** The REST API's stop route on a real socket, as `next start` serves it (the route handler, Request in, Response out). */
let api: http.Server;
let apiBase = "";
let localPort = 0;
const running: ChildProcess[] = [];

beforeAll(async () => {
  sshServer = createAgentSshServer({ hostKey: generateEd25519Key().private, domain: "tunnel.test", heartbeatMs: HEARTBEAT_MS });
  await new Promise<void>((resolve) => sshServer.listen(0, "127.0.0.1", resolve));
  sshPort = (sshServer.address() as AddressInfo).port;
  ingress = createIngressServer();
  await new Promise<void>((resolve) => ingress.listen(0, "127.0.0.1", resolve));
  ingressPort = (ingress.address() as AddressInfo).port;
  local = http.createServer((_req, res) => res.end("local service"));
  await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
  localPort = (local.address() as AddressInfo).port;
  api = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const match = /^\/api\/v1\/tunnel_sessions\/([^/]+)\/stop$/.exec(req.url ?? "");
      if (!match || req.method !== "POST") return void res.writeHead(404).end();
      const request = new Request(`${apiBase}${req.url!.slice("/api/v1".length)}`, {
        method: "POST",
        headers: Object.entries(req.headers).map(([k, v]) => [k, String(v)] as [string, string]),
        body: Buffer.concat(chunks),
      });
      void tunnelSessionRoutes.stop(request, { params: Promise.resolve({ id: decodeURIComponent(match[1]!) }) }).then(async (answer) => {
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
      });
    });
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  for (const proc of running) proc.kill("SIGKILL");
  await ingress.stop();
  await sshServer.stop();
  await new Promise((resolve) => local.close(resolve));
  await new Promise((resolve) => api.close(resolve));
  await stopControlListener();
  rmSync(dir, { recursive: true, force: true });
});

/** A bot with an SSH key connected with `ssh -R 0:localhost:<local>`, its endpoint served by the ingress. */
async function sshAgent(opts: { port?: number; servedHere?: boolean } = {}) {
  const { account, admin, bot, credentialId, file } = await botWithSshKey(dir);
  return { account, admin, bot, credentialId, file, ...(await connect(account.id, file, opts)) };
}

/** `ssh -R 0:localhost:<local>` with the key in `file`, until its new session's endpoint is served and held. */
async function connect(accountId: string, file: string, opts: { port?: number; servedHere?: boolean } = {}) {
  const servedHere = opts.servedHere ?? true;
  const before = await db().tunnelSession.findMany({ where: { accountId }, select: { id: true } });
  const proc = spawn("ssh", [
    "-F", "/dev/null", "-i", file, "-p", String(opts.port ?? sshPort), "-T",
    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
    "-o", "IdentitiesOnly=yes", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR",
    "-R", `0:localhost:${localPort}`, "agent@127.0.0.1",
  ], { stdio: ["pipe", "pipe", "pipe"] });
  running.push(proc);
  let output = "";
  proc.stdout.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  const session = await until(
    () => db().tunnelSession.findFirst({ where: { accountId, id: { notIn: before.map((b) => b.id) } }, include: { endpoints: true } }),
    (s) => !!s && s.endpoints.length > 0 && (!servedHere || (!!endpointForHost(new URL(s.endpoints[0]!.url!).hostname) && heldSessionIds().includes(s.id))),
  );
  if (!session) throw new Error(`the ssh -R agent did not bind:\n${output}`);
  const host = new URL(session.endpoints[0]!.url!).hostname;
  if (servedHere) expect((await get(host)).body).toBe("local service");
  return { sessionId: session.id, host, exited, output: () => output };
}

async function until<T>(read: () => Promise<T> | T, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A request to the ingress by address with the endpoint's Host header. */
function get(host: string): Promise<{ status: number; code: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: ingressPort, path: "/", headers: { host }, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, code: res.headers["ngrok-error-code"] as string | undefined, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Waits until the endpoint stops serving and the session is recorded as ended; returns how long that took and the end. */
async function endedWithin(a: { sessionId: string; host: string; exited: Promise<void> }, started: number) {
  await until(() => !endpointForHost(a.host), (gone) => gone, 5_000);
  const stoppedServingMs = Date.now() - started;
  const session = await until(() => db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } }), (s) => s.endedAt !== null, 5_000);
  const closed = await Promise.race([a.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
  const offline = await get(a.host);
  const events = await db().event.findMany({ where: { subjectId: a.sessionId, type: "agent.session_ended" } });
  return { stoppedServingMs, session, closed, offline, reasons: events.map((e) => e.data as { reason: string; refusal?: string }) };
}

describe("live control: a change anywhere ends the ssh -R session at once, by LISTEN/NOTIFY", () => {
  it("deactivating the bot ends its session within a second: endpoint offline (ERR_NGROK_3200), the client told, the event's reason recorded", async () => {
    const a = await sshAgent();
    const started = Date.now();
    expect((await setBotsActive(a.admin, { ids: [a.bot.id], active: false }, NO_CTX)).ok).toBe(true);
    const ended = await endedWithin(a, started);
    expect(ended.stoppedServingMs).toBeLessThan(1_000);
    expect(ended.session.endReason).toBe("credential_refused:owner_deactivated");
    expect(ended.reasons).toEqual([expect.objectContaining({ reason: "credential_refused", refusal: "owner_deactivated" })]);
    expect(ended.closed).toBe(true);
    expect(a.output()).toMatch(/SSH key was refused \(the credential's owner is deactivated\); the tunnel session has ended/);
    expect(ended.offline).toMatchObject({ status: 404, code: "ERR_NGROK_3200" });
  });

  it("revoking the key ends its session within a second (refusal revoked)", async () => {
    const a = await sshAgent();
    const started = Date.now();
    expect(await revokeCredentials(a.admin, { ids: [a.credentialId] }, NO_CTX)).toMatchObject({ ok: true });
    const ended = await endedWithin(a, started);
    expect(ended.stoppedServingMs).toBeLessThan(1_000);
    expect(ended.session.endReason).toBe("credential_refused:revoked");
    expect(ended.reasons).toEqual([expect.objectContaining({ reason: "credential_refused", refusal: "revoked" })]);
    expect(ended.closed).toBe(true);
    expect(ended.offline.code).toBe("ERR_NGROK_3200");
    // A reconnect is refused by the credential check.
    const again = spawn("ssh", [
      "-F", "/dev/null", "-i", a.file, "-p", String(sshPort), "-T", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
      "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR", "-R", `0:localhost:${localPort}`, "agent@127.0.0.1",
    ], { stdio: "ignore" });
    running.push(again);
    expect(await new Promise((resolve) => again.on("exit", resolve))).toBe(255);
  });

  it("deleting the bot ends its session within a second (its key deleted with it)", async () => {
    const a = await sshAgent();
    const started = Date.now();
    expect((await deleteBots(a.admin, { ids: [a.bot.id] }, NO_CTX)).ok).toBe(true);
    const ended = await endedWithin(a, started);
    expect(ended.stoppedServingMs).toBeLessThan(1_000);
    expect(ended.session.endReason).toMatch(/^credential_refused:(credential_deleted|owner_deleted)$/);
    expect(ended.reasons).toHaveLength(1);
    expect(ended.closed).toBe(true);
    expect(ended.offline.code).toBe("ERR_NGROK_3200");
  });

  it("a key's expiry ends its session when it comes, with no write to notify (a timer per held session)", async () => {
    const a = await sshAgent();
    // The expiry moved to a moment from now: the change notifies, and the holder waits for that moment.
    const at = new Date(Date.now() + 700);
    await db().credential.update({ where: { id: a.credentialId }, data: { expiresAt: at } });
    const ended = await endedWithin(a, at.getTime());
    expect(ended.stoppedServingMs).toBeLessThan(1_000);
    expect(ended.session.endReason).toBe("credential_refused:expired");
    expect(ended.closed).toBe(true);
  });

  it("when the LISTEN connection is killed it comes back, and a later change still ends the session at once", async () => {
    const a = await sshAgent();
    const pid = controlListenerPid();
    expect(pid).toBeDefined();
    await db().$queryRaw`SELECT pg_terminate_backend(${pid}::int)`;
    await until(() => controlListenerPid(), (now) => now !== undefined && now !== pid, 10_000);
    expect(controlListenerPid()).not.toBe(pid);
    const started = Date.now();
    expect(await revokeCredentials(a.admin, { ids: [a.credentialId] }, NO_CTX)).toMatchObject({ ok: true });
    const ended = await endedWithin(a, started);
    expect(ended.stoppedServingMs).toBeLessThan(1_000);
    expect(ended.session.endReason).toBe("credential_refused:revoked");
  });

  it("a change made while the LISTEN connection is gone is caught when it comes back (the held sessions are checked again)", async () => {
    const a = await sshAgent();
    const pid = controlListenerPid();
    // Kill the connection and revoke at once: the notification may be sent while nobody listens.
    await db().$queryRaw`SELECT pg_terminate_backend(${pid}::int)`;
    const started = Date.now();
    expect(await revokeCredentials(a.admin, { ids: [a.credentialId] }, NO_CTX)).toMatchObject({ ok: true });
    const ended = await endedWithin(a, started);
    expect(ended.stoppedServingMs).toBeLessThan(2_000);
    expect(ended.session.endReason).toBe("credential_refused:revoked");
  });
});

/** An API key's secret for `ownerId`, made by `actor`. */
async function apiKey(actor: ReturnType<typeof actorOf>, ownerId: string): Promise<string> {
  const created = await createCredential(actor, { kind: "api_key", ownerId, acl: [] }, NO_CTX);
  if (!created.ok || !created.data.token) throw new Error(created.ok ? "no token" : created.message);
  return created.data.token;
}

/**
 * ngrok's client (0.11.0) parses every answer as JSON, also the stop's 204
 * (ngrok's own API sends it without a body, as Botdesk does), so its stop()
 * rejects with a SyntaxError after the session was stopped.
 */
async function stopped(call: Promise<unknown>): Promise<void> {
  await call.then(
    () => undefined,
    (error: unknown) => {
      if (!(error instanceof SyntaxError)) throw error;
    },
  );
}

describe("POST /api/v1/tunnel_sessions/{id}/stop, as ngrok's client calls it", () => {
  it("an admin's key stops the session: ended at once (reason stopped, who stopped it), the agent told; the key still works, so it connects again as a new session", async () => {
    const a = await sshAgent();
    const ngrok = new Ngrok({ apiToken: await apiKey(a.admin, a.admin.principal.id), baseUrl: apiBase });
    const started = Date.now();
    await stopped(ngrok.tunnelSessions.stop(a.sessionId));
    const ended = await endedWithin(a, started);
    expect(ended.stoppedServingMs).toBeLessThan(1_000);
    expect(ended.session.endReason).toBe("stopped");
    expect(ended.reasons).toEqual([expect.objectContaining({ reason: "stopped", stoppedBy: { id: a.admin.principal.id, name: a.admin.principal.name } })]);
    expect(ended.closed).toBe(true);
    expect(a.output()).toMatch(/was stopped \(through the API or the dashboard\); the tunnel session has ended/);
    expect(ended.offline.code).toBe("ERR_NGROK_3200");
    // Stopping it again changes nothing and is not an error.
    await stopped(ngrok.tunnelSessions.stop(a.sessionId));
    // The key is still good: the agent connects again, as a new session that serves.
    const again = await connect(a.account.id, a.file);
    expect(again.sessionId).not.toBe(a.sessionId);
  });

  it("refuses a member's key (another's session), another account's admin key and an unknown id alike (404), and leaves the session running", async () => {
    const a = await sshAgent();
    const member = await createTestPerson(a.account.id, "member");
    const memberKey = await apiKey(actorOf(a.account, member, "member"), member.id);
    const other = await createTestAccount();
    const otherKey = await apiKey(actorOf(other.account, other.owner, "owner"), other.owner.id);
    for (const token of [memberKey, otherKey]) {
      const error = await new Ngrok({ apiToken: token, baseUrl: apiBase }).tunnelSessions.stop(a.sessionId).then(() => null, (e: unknown) => e);
      expect(error).toMatchObject({ statusCode: 404 });
    }
    const raw = await fetch(`${apiBase}/tunnel_sessions/ts_unknown/stop`, { method: "POST", headers: { authorization: `Bearer ${memberKey}` } });
    expect(raw.status).toBe(404);
    expect(await raw.json()).toMatchObject({ error_code: "ERR_BOTDESK_404" });
    await new Promise((r) => setTimeout(r, 300));
    expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } })).endedAt).toBeNull();
    expect((await get(a.host)).body).toBe("local service");
  });
});

describe("POST /api/v1/tunnel_sessions/{id}/stop by the bot itself", () => {
  it("a bot's own API key may stop its own sessions (as it may revoke its own credentials)", async () => {
    const a = await sshAgent();
    const botKey = await apiKey(a.admin, a.bot.id);
    const started = Date.now();
    await stopped(new Ngrok({ apiToken: botKey, baseUrl: apiBase }).tunnelSessions.stop(a.sessionId));
    const ended = await endedWithin(a, started);
    expect(ended.session.endReason).toBe("stopped");
    expect(ended.reasons).toEqual([expect.objectContaining({ reason: "stopped", stoppedBy: { id: a.bot.id, name: a.bot.name } })]);
  });
});

describe("another instance holding the session", () => {
  it("ends it at once when this one stops it (the API) or deactivates its bot: the holder is told by the database", async () => {
    const holder = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "_fixtures", "holder-process.ts")], {
      cwd: path.resolve(import.meta.dirname, "..", "..", ".."),
      env: { ...process.env, BOTDESK_LOG_FORMAT: "pretty" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.push(holder);
    let out = "";
    holder.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    holder.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const port = Number((await until(() => /holder: SSH on port (\d+)/.exec(out)?.[1], (p) => p !== undefined, 30_000)) ?? NaN);
    expect(port, out).toBeGreaterThan(0);
    for (const how of ["stop", "deactivate"] as const) {
      const a = await sshAgent({ port, servedHere: false });
      expect(heldSessionIds()).not.toContain(a.sessionId);
      // Let the holder's LISTEN connection open (it starts with its first held session).
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      if (how === "stop") await stopped(new Ngrok({ apiToken: await apiKey(a.admin, a.admin.principal.id), baseUrl: apiBase }).tunnelSessions.stop(a.sessionId));
      else expect(await setBotsActive(a.admin, { ids: [a.bot.id], active: false }, NO_CTX)).toMatchObject({ ok: true });
      const closed = await Promise.race([a.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
      expect(closed, out).toBe(true);
      // The holder tells the client, waits 100 ms for the message to go, then closes.
      expect(Date.now() - started).toBeLessThan(1_500);
      const session = await db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } });
      expect(session.endReason).toBe(how === "stop" ? "stopped" : "credential_refused:owner_deactivated");
      expect(a.output()).toMatch(/the tunnel session has ended/);
    }
    holder.kill("SIGTERM");
  });
});

describe("the notifications themselves", () => {
  it("are sent only when the change commits, and name ids only (never a secret)", async () => {
    const listener = new pg.Client({ connectionString: readEnv().DATABASE_URL });
    await listener.connect();
    const heard: string[] = [];
    listener.on("notification", (m) => heard.push(m.payload ?? ""));
    await listener.query(`LISTEN ${CONTROL_CHANNEL}`);
    try {
      const { account, owner } = await createTestAccount();
      const admin = actorOf(account, owner, "owner");
      const bot = await createTestBot(account.id);
      const created = await createCredential(admin, { kind: "authtoken", ownerId: bot.id, acl: [] }, NO_CTX);
      if (!created.ok) throw new Error(created.message);
      const id = created.data.credential.id;
      // A revocation rolled back is never announced.
      await db().$transaction(async (tx) => {
        await tx.credential.update({ where: { id }, data: { revokedAt: new Date() } });
        throw new Error("rolled back");
      }).catch(() => {});
      await new Promise((r) => setTimeout(r, 200));
      expect(heard).toEqual([]);
      expect(await revokeCredentials(admin, { ids: [id] }, NO_CTX)).toMatchObject({ ok: true });
      expect(await setBotsActive(admin, { ids: [bot.id], active: false }, NO_CTX)).toMatchObject({ ok: true });
      await until(() => heard.length, (n) => n >= 2, 2_000);
      expect(heard).toEqual([`c:${id}`, `p:${bot.id}`]);
      expect(heard.join()).not.toContain(created.data.token!);
    } finally {
      await listener.end();
    }
  });

  it("parses only its own payloads, and says why a session ended in the agent's words", () => {
    expect(parseNotice("c:cr_0abc")).toEqual({ kind: "c", id: "cr_0abc" });
    expect(parseNotice("s:ts_1")).toEqual({ kind: "s", id: "ts_1" });
    for (const bad of [undefined, "", "x:cr_1", "c:", "c:a b", `c:${"a".repeat(101)}`, "c:cr_1\n"]) expect(parseNotice(bad)).toBeNull();
    expect(describeEndReason("credential_refused:revoked", "authtoken")).toBe("the authtoken was refused (the credential has been revoked)");
    expect(describeEndReason("credential_refused:credential_deleted", "SSH key")).toBe("the SSH key was refused (the credential has been deleted)");
    expect(describeEndReason("stopped")).toBe("the tunnel session was stopped (through the API or the dashboard)");
    expect(describeEndReason("something_new")).toBe("the tunnel session has ended");
  });
});
