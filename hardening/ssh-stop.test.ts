import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild, freePort, scratchDatabase } from "./scratch-server";
import { childrenOf, commandOf, isAlive, startLauncher, type Launcher } from "./launcher-support";
import { newId } from "../lib/ids";
import { issueSecret } from "../lib/domain/credentials/token-format";
import { sshKeygen } from "../lib/test-support/ssh-keys";

/**
 * `npm start`'s SSH server for agents runs inside the web server process. An
 * agent's open tunnel session must still be recorded as ended when Botdesk
 * stops (SIGTERM, as a service manager stops it) and when the launcher dies
 * by SIGKILL (the web server then exits on its own): `server_stopped`, not
 * left open for the heartbeat sweep. One instance on a fresh PostgreSQL
 * database on the machine's server, the system's `ssh` client as the agent.
 */

const REPO = process.cwd();
const dbName = `botdesk_ssh_stop_${Date.now()}_${process.pid}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-ssh-stop-"));
const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-ssh-stop-key-"));
let databaseUrl = "";
let pool: pg.Pool;
let database: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
let keyFile = "";
let sshPort = 0;
const launchers: Launcher[] = [];
const agents: ChildProcess[] = [];
// One for every start: the instances share the database's server keys, which it encrypts (a start with another is refused).
const AUTH_SECRET = randomBytes(24).toString("hex");

/** An instance: the launcher and the address its web server answers on. */
interface Instance extends Launcher {
  base: string;
}

/** `npm start` (scripts/start.mjs) in a process group of its own, until its SSH server has started. */
async function startInstance(): Promise<Instance> {
  const port = await freePort();
  const launcher = startLauncher(REPO, {
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    BOTDESK_DATA_DIR: dataDir,
    AUTH_SECRET,
    BOTDESK_SSH_PORT: String(sshPort),
    BOTDESK_DEMO: "1",
  });
  launchers.push(launcher);
  await launcher.waitUntil((out) => out.includes(`SSH server for agents on port ${sshPort}`), 120_000, "SSH server");
  return { ...launcher, base: `http://localhost:${port}` };
}

/** The agent: `ssh -R 0:localhost:8080` with the bot's key, once its tunnel session is open. */
async function openTunnel(): Promise<{ proc: ChildProcess; output: () => string; sessionId: string }> {
  const proc = spawn("ssh", [
    "-F", "/dev/null", "-i", keyFile, "-p", String(sshPort), "-T",
    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
    "-o", "IdentitiesOnly=yes", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR",
    "-R", "0:localhost:8080", "agent@127.0.0.1",
  ], { stdio: ["pipe", "pipe", "pipe"] });
  agents.push(proc);
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  let match: RegExpExecArray | null = null;
  while (!(match = /tunnel session (ts_\w+)/.exec(out))) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`no tunnel session:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, output: () => out, sessionId: match[1]! };
}

async function session(id: string): Promise<{ ended: boolean; reason: string | null }> {
  const { rows } = await pool.query<{ ended_at: Date | null; end_reason: string | null }>("SELECT ended_at, end_reason FROM tunnel_sessions WHERE id = $1", [id]);
  return { ended: rows[0]?.ended_at != null, reason: rows[0]?.end_reason ?? null };
}

beforeAll(async () => {
  ensureBuild(REPO);
  database = await scratchDatabase(dbName, 2);
  databaseUrl = database.url;
  pool = database.pool;
  sshPort = await freePort();
  // First start: migrates and seeds the demo account; then a bot gets an SSH key through the REST API.
  const first = await startInstance();
  const [owner] = (await pool.query<{ id: string; account_id: string }>("SELECT p.id, m.account_id FROM principals p JOIN memberships m ON m.principal_id = p.id WHERE m.role = 'owner' LIMIT 1")).rows;
  const [bot] = (await pool.query<{ id: string }>("SELECT id FROM principals WHERE kind = 'bot' AND status = 'active' AND account_id = $1 LIMIT 1", [owner!.account_id])).rows;
  const keyId = newId("apiKey");
  const apiKey = issueSecret("api_key", keyId);
  await pool.query("INSERT INTO credentials (id, account_id, kind, owner_id, secret_hash, secret_hint) VALUES ($1, $2, 'api_key', $3, $4, $5)", [keyId, owner!.account_id, owner!.id, apiKey.hash, apiKey.hint]);
  const pair = sshKeygen("ed25519");
  keyFile = path.join(keyDir, "agent");
  fs.writeFileSync(keyFile, pair.privateKey, { mode: 0o600 });
  const res = await fetch(`${first.base}/api/v1/ssh_credentials`, {
    method: "POST",
    headers: { Authorization: `Bearer ${apiKey.token}`, "Ngrok-Version": "2", "Content-Type": "application/json" },
    body: JSON.stringify({ public_key: pair.publicKey, owner_id: bot!.id }),
  });
  expect(res.status, await res.text()).toBe(201);
  await first.stop();
}, 300_000);

afterAll(async () => {
  for (const agent of agents) if (agent.exitCode === null && agent.signalCode === null) agent.kill("SIGKILL");
  await Promise.all(launchers.map((launcher) => launcher.stop("SIGKILL")));
  await database?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(keyDir, { recursive: true, force: true });
});

describe("npm start's SSH server, inside the web server", () => {
  it("stopping Botdesk (SIGTERM) records the open tunnel session as ended (server_stopped) and tells the agent", async () => {
    const instance = await startInstance();
    const agent = await openTunnel();
    expect(await session(agent.sessionId)).toEqual({ ended: false, reason: null });
    process.kill(-instance.proc.pid!, "SIGTERM");
    await instance.exited;
    expect(instance.output()).toContain("[botdesk] Stopped.");
    expect(await session(agent.sessionId)).toEqual({ ended: true, reason: "server_stopped" });
    await new Promise((r) => (agent.proc.exitCode !== null ? r(null) : agent.proc.once("exit", r)));
    expect(agent.output()).toContain("the SSH server is stopping; the tunnel session has ended");
  });

  it("when the launcher is killed with SIGKILL, the web server records the session as ended, then exits", async () => {
    const instance = await startInstance();
    const agent = await openTunnel();
    const webServer = childrenOf(instance.proc.pid!).find((pid) => commandOf(pid).includes("next"));
    expect(webServer).toBeDefined();
    process.kill(instance.proc.pid!, "SIGKILL");
    const deadline = Date.now() + 15_000;
    while (isAlive(webServer!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(webServer!)).toBe(false);
    expect(await session(agent.sessionId)).toEqual({ ended: true, reason: "server_stopped" });
  });
});
