import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { deleteBots } from "@/lib/domain/bots/delete-bots";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { revokeCredentials } from "@/lib/domain/credentials/revoke-credentials";
import { createAgentSshServer } from "@/lib/ssh/agent-ssh-server";
import { actorOf, createTestAccount, createTestBot } from "@/lib/test-support/factories";
import { sshKeygen } from "@/lib/test-support/ssh-keys";
import { createIngressServer, type IngressServer } from "@/lib/tunnels/ingress/ingress-server";
import { endpointForHost } from "@/lib/tunnels/registry/live-endpoints";
import { controlListenerPid, stopControlListener } from "./control-listener";
import { heldSessionIds } from "./held-sessions";

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
let localPort = 0;
const running: ChildProcess[] = [];

beforeAll(async () => {
  sshServer = createAgentSshServer({ hostKey: ssh2.utils.generateKeyPairSync("ed25519").private, domain: "tunnel.test", heartbeatMs: HEARTBEAT_MS });
  await new Promise<void>((resolve) => sshServer.listen(0, "127.0.0.1", resolve));
  sshPort = (sshServer.address() as AddressInfo).port;
  ingress = createIngressServer();
  await new Promise<void>((resolve) => ingress.listen(0, "127.0.0.1", resolve));
  ingressPort = (ingress.address() as AddressInfo).port;
  local = http.createServer((_req, res) => res.end("local service"));
  await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
  localPort = (local.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const proc of running) proc.kill("SIGKILL");
  await ingress.stop();
  await sshServer.stop();
  await new Promise((resolve) => local.close(resolve));
  await stopControlListener();
  rmSync(dir, { recursive: true, force: true });
});

let keys = 0;
/** A bot with an SSH key connected with `ssh -R 0:localhost:<local>`, its endpoint served by the ingress. */
async function sshAgent() {
  const { account, owner } = await createTestAccount();
  const admin = actorOf(account, owner, "owner");
  const bot = await createTestBot(account.id);
  const key = sshKeygen("ed25519");
  const created = await createCredential(admin, { kind: "ssh_key", ownerId: bot.id, publicKey: key.publicKey, acl: [] }, NO_CTX);
  if (!created.ok) throw new Error(created.message);
  const file = path.join(dir, `key${++keys}`);
  writeFileSync(file, key.privateKey);
  chmodSync(file, 0o600);
  const proc = spawn("ssh", [
    "-F", "/dev/null", "-i", file, "-p", String(sshPort), "-T",
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
    () => db().tunnelSession.findFirst({ where: { accountId: account.id }, include: { endpoints: true } }),
    (s) => !!s && s.endpoints.length > 0 && !!endpointForHost(new URL(s.endpoints[0]!.url!).hostname) && heldSessionIds().includes(s.id),
  );
  if (!session) throw new Error("the ssh -R agent did not bind");
  const host = new URL(session.endpoints[0]!.url!).hostname;
  expect((await get(host)).body).toBe("local service");
  return { account, admin, bot, credentialId: created.data.credential.id, sessionId: session.id, host, exited, output: () => output };
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
