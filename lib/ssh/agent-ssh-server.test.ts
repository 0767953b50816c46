import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { authenticateCredential, REFUSALS_RECORDED_PER_MINUTE } from "@/lib/domain/access/authenticate-credential";
import { deleteBots } from "@/lib/domain/bots/delete-bots";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { reserveDomain } from "@/lib/domain/domains/reserve-domain";
import { revokeCredentials } from "@/lib/domain/credentials/revoke-credentials";
import { actorOf, createTestAccount, createTestBot } from "@/lib/test-support/factories";
import { sshKeygen } from "@/lib/test-support/ssh-keys";
import { endpointForHost } from "@/lib/tunnels/registry/live-endpoints";
import { createAgentSshServer, endpointUrlFor, namedHostname } from "./agent-ssh-server";
import { generateEd25519Key } from "@/lib/ssh/ed25519-key";

// The real OpenSSH client against the server, as an agent would connect.
const NO_CTX = { ip: null, userAgent: null };
const dir = mkdtempSync(path.join(tmpdir(), "botdesk-ssh-test-"));
let server: ssh2.Server;
let port = 0;
/** What the server logged (serve-in-web-server.ts prints these lines on the web server's console). */
const logged: string[] = [];

beforeAll(async () => {
  const hostKey = generateEd25519Key().private;
  server = createAgentSshServer({ hostKey, heartbeatMs: 300, domain: "tunnel.test", log: (line) => logged.push(line) });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

let keys = 0;
function keyFile(privateKey: string): string {
  const file = path.join(dir, `key${++keys}`);
  writeFileSync(file, privateKey);
  chmodSync(file, 0o600);
  return file;
}

interface SshRun {
  proc: ChildProcess;
  output: () => string;
  /** Resolves with the output once it contains `text`, or rejects when ssh exits first. */
  waitFor: (text: string) => Promise<string>;
  exited: Promise<number | null>;
}

function ssh(file: string, opts: { user?: string; forward?: string | string[]; options?: string[] } = {}): SshRun {
  const args = [
    "-F", "/dev/null", "-i", file, "-p", String(port), "-T", ...(opts.options ?? []),
    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
    "-o", "IdentitiesOnly=yes", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR",
    ...[opts.forward ?? []].flat().flatMap((f) => ["-R", f]),
    `${opts.user ?? "agent"}@127.0.0.1`,
  ];
  const proc = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const waitFor = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (out.includes(text)) {
          clearInterval(timer);
          resolve(out);
        }
      };
      const timer = setInterval(check, 20);
      void exited.then(() => setTimeout(() => {
        clearInterval(timer);
        if (out.includes(text)) resolve(out);
        else reject(new Error(`ssh exited without "${text}":\n${out}`));
      }, 50));
    });
  return { proc, output: () => out, waitFor, exited };
}

async function sshAccount(acl: string[] = []) {
  const { account, owner } = await createTestAccount();
  const admin = actorOf(account, owner, "owner");
  const bot = await createTestBot(account.id);
  const key = sshKeygen("ed25519");
  const created = await createCredential(admin, { kind: "ssh_key", ownerId: bot.id, publicKey: key.publicKey, acl }, NO_CTX);
  if (!created.ok) throw new Error(created.message);
  return { account, admin, bot, key, file: keyFile(key.privateKey), credentialId: created.data.credential.id };
}

const events = (accountId: string, type: string) => db().event.findMany({ where: { accountId, type }, orderBy: { id: "asc" } });

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the SSH server, driven by the real ssh client", () => {
  it("signs in with a registered key, opens an ssh tunnel session for its owner, binds -R and says so; closing ends the session", async () => {
    const { account, bot, file, key } = await sshAccount();
    const run = ssh(file, { forward: "0:localhost:8080" });
    const out = await run.waitFor("forwarding https://");
    expect(out).toContain(`signed in as ${bot.name} with SSH key ${key.fingerprint}`);
    const url = /forwarding (https:\/\/\S+)/.exec(out)![1]!;
    expect(url).toMatch(/^https:\/\/[0-9a-f]{12}\.tunnel\.test$/);
    const session = await db().tunnelSession.findFirstOrThrow({ where: { accountId: account.id }, include: { endpoints: true } });
    expect(session).toMatchObject({ principalId: bot.id, transport: "ssh", credentialDisplay: key.fingerprint, ip: "127.0.0.1", endedAt: null });
    // The client's version string is its software (and the package's build), not an OS: the OS stays unknown.
    expect(session.agentVersion).toMatch(/^OpenSSH_/);
    // The client's identification line is its user agent; an SSH client says no hostname and no client id.
    expect(session).toMatchObject({ userAgent: expect.stringMatching(/^SSH-2\.0-OpenSSH_/), hostname: null, clientId: null });
    expect(session).toMatchObject({ os: "unknown", arch: "unknown" });
    expect(session.endpoints.map((e) => e.url)).toEqual([url]);
    const [started] = await events(account.id, "agent.session_started");
    expect(started).toMatchObject({ principalId: bot.id, source: "agent", credentialDisplay: key.fingerprint });
    expect((started!.data as { transport: string }).transport).toBe("ssh");
    run.proc.kill("SIGTERM");
    await run.exited;
    const ended = await until(() => db().tunnelSession.findUniqueOrThrow({ where: { id: session.id } }), (s) => s.endedAt !== null);
    expect(ended.endReason).toBe("agent_closed");
  });

  it("binds a named hostname the ACL allows and refuses one it does not (recorded as agent.bind_refused)", async () => {
    const { account, admin, file } = await sshAccount(["bind:*.example.com"]);
    expect((await reserveDomain(admin, { domain: "*.example.com" }, NO_CTX)).ok).toBe(true);
    const allowed = ssh(file, { forward: "app.example.com:80:localhost:8080" });
    await allowed.waitFor("forwarding https://app.example.com");
    allowed.proc.kill("SIGTERM");
    await allowed.exited;
    const refused = ssh(file, { forward: "app.example.org:80:localhost:8080" });
    expect(await refused.exited).not.toBe(0);
    expect(refused.output()).toMatch(/remote port forwarding failed/i);
    const [event] = await until(() => events(account.id, "agent.bind_refused"), (e) => e.length > 0);
    expect((event!.data as { url: string }).url).toBe("https://app.example.org");
  });

  it("a forward the client cancels (ssh -O cancel) ends its endpoint, records agent.endpoint_unbound and frees the hostname; the session goes on", async () => {
    const { account, admin, file } = await sshAccount();
    expect((await reserveDomain(admin, { domain: "*.cancel.example" }, NO_CTX)).ok).toBe(true);
    const control = path.join(dir, `control${++keys}`);
    const forward = "app.cancel.example:80:localhost:8080";
    const run = ssh(file, { forward, options: ["-o", "ControlMaster=yes", "-o", `ControlPath=${control}`] });
    try {
      await run.waitFor("forwarding https://app.cancel.example");
      expect(endpointForHost("app.cancel.example")).toBeDefined();
      // The master connection is asked to cancel the forward (a second ssh speaking to it over the control socket).
      const cancel = spawn("ssh", ["-F", "/dev/null", "-o", `ControlPath=${control}`, "-O", "cancel", "-R", forward, "-p", String(port), "agent@127.0.0.1"], { stdio: "ignore" });
      expect(await new Promise((resolve) => cancel.on("exit", resolve))).toBe(0);
      const endpoint = await until(() => db().tunnelEndpoint.findFirstOrThrow({ where: { accountId: account.id } }), (e) => e.endedAt !== null);
      expect(endpoint.endedAt).not.toBeNull();
      expect(endpointForHost("app.cancel.example")).toBeUndefined();
      const [unbound] = await events(account.id, "agent.endpoint_unbound");
      expect(unbound!.data).toEqual({ endpointId: endpoint.id, url: "https://app.cancel.example", labels: {} });
      expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: endpoint.sessionId } })).endedAt).toBeNull();
      // The hostname is free: another connection binds it at once.
      const again = ssh(file, { forward });
      await again.waitFor("forwarding https://app.cancel.example");
      again.proc.kill("SIGTERM");
      await again.exited;
    } finally {
      run.proc.kill("SIGTERM");
      await run.exited;
    }
  });

  it("refuses a named hostname the account has not reserved (the same rule as every bind), recorded as agent.bind_refused", async () => {
    const { account, file } = await sshAccount();
    const refused = ssh(file, { forward: "unreserved.example.net:80:localhost:8080" });
    expect(await refused.exited).not.toBe(0);
    expect(refused.output()).toMatch(/remote port forwarding failed/i);
    const [event] = await until(() => events(account.id, "agent.bind_refused"), (e) => e.length > 0);
    expect(event!.data).toMatchObject({ url: "https://unreserved.example.net", reason: "hostname_not_reserved" });
    expect(await db().tunnelEndpoint.count({ where: { accountId: account.id } })).toBe(0);
  });

  it("refuses an unknown key (no event: only the server's log), a revoked key and a deactivated bot's key (each recorded once as credential.refused)", async () => {
    const stranger = sshKeygen("ed25519");
    const unknown = ssh(keyFile(stranger.privateKey));
    expect(await unknown.exited).toBe(255);
    expect(unknown.output()).toMatch(/Permission denied \(publickey\)/);
    expect(logged.some((l) => l.includes(`ssh key ${stranger.fingerprint} from 127.0.0.1 refused: the credential is well formed but invalid`))).toBe(true);
    expect(await db().event.count({ where: { credentialDisplay: stranger.fingerprint } })).toBe(0);

    const revoked = await sshAccount();
    await revokeCredentials(revoked.admin, { ids: [revoked.credentialId] }, NO_CTX);
    const r = ssh(revoked.file);
    expect(await r.exited).toBe(255);
    expect(r.output()).toMatch(/Permission denied/);
    expect((await events(revoked.account.id, "credential.refused")).map((e) => (e.data as { reason: string }).reason)).toEqual(["revoked"]);

    const deactivated = await sshAccount();
    await setBotsActive(deactivated.admin, { ids: [deactivated.bot.id], active: false }, NO_CTX);
    const d = ssh(deactivated.file, { forward: "0:localhost:8080" });
    expect(await d.exited).toBe(255);
    expect((await events(deactivated.account.id, "credential.refused")).map((e) => (e.data as { reason: string }).reason)).toEqual(["owner_deactivated"]);
    expect(await db().tunnelSession.count({ where: { accountId: deactivated.account.id } })).toBe(0);
  });

  it("deactivating the bot mid-session ends the session within a heartbeat and drops the connection", async () => {
    const { account, admin, bot, file } = await sshAccount();
    const run = ssh(file, { forward: "0:localhost:8080" });
    await run.waitFor("forwarding https://");
    expect((await setBotsActive(admin, { ids: [bot.id], active: false }, NO_CTX)).ok).toBe(true);
    const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r("still connected"), 5000))]);
    expect(code).not.toBe("still connected");
    expect(run.output()).toMatch(/SSH key was refused \(the credential's owner is deactivated\)/);
    const session = await db().tunnelSession.findFirstOrThrow({ where: { accountId: account.id } });
    expect(session.endReason).toBe("credential_refused:owner_deactivated");
    const ended = await events(account.id, "agent.session_ended");
    expect(ended).toHaveLength(1);
  });

  it("deleting the bot mid-session ends the session (refusal credential_deleted), drops the connection and refuses the key from then on", async () => {
    const { account, admin, bot, file } = await sshAccount();
    const run = ssh(file, { forward: "0:localhost:8080" });
    await run.waitFor("forwarding https://");
    expect((await deleteBots(admin, { ids: [bot.id] }, NO_CTX)).ok).toBe(true);
    const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r("still connected"), 5000))]);
    expect(code).not.toBe("still connected");
    expect(run.output()).toMatch(/SSH key was refused/);
    const session = await until(() => db().tunnelSession.findFirstOrThrow({ where: { accountId: account.id } }), (s) => s.endedAt !== null);
    expect(session.endReason).toBe("credential_refused:credential_deleted");
    expect(await events(account.id, "agent.session_ended")).toHaveLength(1);
    expect(await events(account.id, "bot.deleted")).toHaveLength(1);
    // For good: the key signs in nowhere any more.
    const again = ssh(file, { forward: "0:localhost:8080" });
    expect(await again.exited).toBe(255);
    expect(again.output()).toMatch(/Permission denied/);
  });

  it("records at most REFUSALS_RECORDED_PER_MINUTE refusals of one SSH key a minute, refusing every attempt", async () => {
    const { account, admin, key, credentialId } = await sshAccount();
    await revokeCredentials(admin, { ids: [credentialId] }, NO_CTX);
    const blob = Buffer.from(key.publicKey.split(" ")[1]!, "base64");
    for (let i = 0; i < REFUSALS_RECORDED_PER_MINUTE + 3; i++) {
      const presented = { sshKey: { fingerprint: key.fingerprint, accountId: null, blob } };
      expect(await authenticateCredential(presented, { source: "agent", path: "ssh", ctx: { ip: "127.0.0.1", userAgent: null } })).toMatchObject({ ok: false, reason: "revoked" });
    }
    expect(await events(account.id, "credential.refused")).toHaveLength(REFUSALS_RECORDED_PER_MINUTE);
  });

  it("revoking the key mid-session ends the session (refusal revoked, though revoking frees the fingerprint) and drops the connection", async () => {
    const { account, admin, file, credentialId } = await sshAccount();
    const run = ssh(file, { forward: "0:localhost:8080" });
    await run.waitFor("forwarding https://");
    await revokeCredentials(admin, { ids: [credentialId] }, NO_CTX);
    await run.exited;
    const session = await until(() => db().tunnelSession.findFirstOrThrow({ where: { accountId: account.id } }), (s) => s.endedAt !== null);
    expect(session.endReason).toBe("credential_refused:revoked");
  });
});

describe("stopping the SSH server", () => {
  it("ends its open sessions (server_stopped, source system) and closes the connections", async () => {
    const own = createAgentSshServer({ hostKey: generateEd25519Key().private, domain: "tunnel.test" });
    await new Promise<void>((resolve) => own.listen(0, "127.0.0.1", resolve));
    const savedPort = port;
    port = (own.address() as AddressInfo).port;
    try {
      const { account, file } = await sshAccount();
      const run = ssh(file, { forward: "0:localhost:8080" });
      await run.waitFor("forwarding https://");
      await own.stop();
      await run.exited;
      expect(run.output()).toMatch(/SSH server is stopping/);
      const session = await db().tunnelSession.findFirstOrThrow({ where: { accountId: account.id } });
      expect(session.endReason).toBe("server_stopped");
      const [ended] = await events(account.id, "agent.session_ended");
      expect(ended).toMatchObject({ source: "system" });
    } finally {
      port = savedPort;
    }
  });
});

describe("the SSH server's limits", () => {
  it("an SSH key over its open sessions or binds a minute is refused (the authtokens' caps); a connection not signed in within the handshake timeout is closed", async () => {
    const own = createAgentSshServer({ hostKey: generateEd25519Key().private, domain: "tunnel.test", maxSessionsPerKey: 1, maxBindsPerMinute: 2, handshakeTimeoutMs: 600 });
    await new Promise<void>((resolve) => own.listen(0, "127.0.0.1", resolve));
    const savedPort = port;
    port = (own.address() as AddressInfo).port;
    try {
      const { account, file } = await sshAccount();
      const first = ssh(file, { forward: "0:localhost:8080" });
      await first.waitFor("forwarding https://");
      const second = ssh(file, { forward: "0:localhost:8080" });
      expect(await second.exited).not.toBe(0);
      expect(second.output()).toMatch(/remote port forwarding failed/i);
      expect(await db().tunnelSession.count({ where: { accountId: account.id } })).toBe(1);
      first.proc.kill("SIGTERM");
      await first.exited;
      // Another key: two binds a minute, the third forward refused.
      const other = await sshAccount();
      const three = ssh(other.file, { forward: ["0:localhost:8080", "0:localhost:8081", "0:localhost:8082"] });
      expect(await three.exited).not.toBe(0);
      expect(three.output()).toMatch(/remote port forwarding failed/i);
      expect(await db().tunnelEndpoint.count({ where: { accountId: other.account.id } })).toBe(2);
      // A connection that never sends its banner is closed at the deadline.
      const silent = net.connect(port, "127.0.0.1");
      silent.on("error", () => {});
      silent.resume();
      const opened = Date.now();
      await new Promise((resolve) => silent.once("close", resolve));
      expect(Date.now() - opened).toBeGreaterThan(400);
      expect(Date.now() - opened).toBeLessThan(3_000);
    } finally {
      port = savedPort;
      await own.stop();
    }
  });
});

describe("namedHostname and endpointUrlFor", () => {
  it("take a named host as it is (lowercase), none for empty, localhost or an address; bind https (ports 0, 80, 443) or tcp", () => {
    expect(namedHostname("App.Example.com")).toBe("app.example.com");
    for (const unnamed of ["", "localhost", "127.0.0.1"]) expect(namedHostname(unnamed)).toBeNull();
    expect(endpointUrlFor("app.example.com", 0)).toBe("https://app.example.com");
    expect(endpointUrlFor("app.example.com", 443)).toBe("https://app.example.com");
    expect(endpointUrlFor("app.example.com", 5432)).toBe("tcp://app.example.com:5432");
  });
});
