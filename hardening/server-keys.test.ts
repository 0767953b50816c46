import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild, freePort, scratchDatabase } from "./scratch-server";
import { sshKeygen } from "../lib/test-support/ssh-keys";

/**
 * The server's own keys through the real start command: two instances started
 * at once on one empty PostgreSQL database (each with its own data directory,
 * both holding the host key file an older Botdesk left) serve one agent CA and
 * one SSH host key, the old file's; an instance started with another
 * AUTH_SECRET refuses to start, says what to do, and changes nothing.
 */

const REPO = process.cwd();
const AUTH_SECRET = randomBytes(24).toString("hex");
const dbName = `botdesk_server_keys_${Date.now()}_${process.pid}`;
const dirs: string[] = [];
const running: ChildProcess[] = [];
let database: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
const oldHostKey = sshKeygen("ed25519");

interface Instance {
  base: string;
  sshPort: number;
  proc: ChildProcess;
  output: string[];
  exit: Promise<number | null>;
}

function launch(secret: string): Promise<Instance> {
  return (async () => {
    const [port, sshPort] = [await freePort(), await freePort()];
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-server-keys-"));
    dirs.push(dataDir);
    fs.writeFileSync(path.join(dataDir, "ssh_host_ed25519_key"), oldHostKey.privateKey, { mode: 0o600 });
    const proc = spawn(process.execPath, ["scripts/start.mjs"], {
      cwd: REPO,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PORT: String(port), DATABASE_URL: database!.url, BOTDESK_DATA_DIR: dataDir, AUTH_SECRET: secret, BOTDESK_SSH_PORT: String(sshPort), NEXT_TELEMETRY_DISABLED: "1", BOTDESK_WEB_WORKERS: "1" },
    });
    running.push(proc);
    const output: string[] = [];
    proc.stdout!.on("data", (d: Buffer) => output.push(d.toString()));
    proc.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
    const exit = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    return { base: `http://127.0.0.1:${port}`, sshPort, proc, output, exit };
  })();
}

async function ready(instance: Instance): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (!instance.output.join("").includes(`SSH server for agents on port ${instance.sshPort}`)) {
    if (instance.proc.exitCode !== null) throw new Error(`the instance exited while starting:\n${instance.output.join("")}`);
    if (Date.now() > deadline) throw new Error(`not started within 180 s:\n${instance.output.join("")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function hostKeySeen(port: number): Promise<string> {
  const scan = await promisify(execFile)("ssh-keyscan", ["-T", "5", "-t", "ed25519", "-p", String(port), "127.0.0.1"], { encoding: "utf8" });
  return scan.stdout.split("\n").find((l) => l.includes("ssh-ed25519"))!.split(" ").slice(1).join(" ");
}

const rows = async () => (await database!.pool.query<{ name: string; public_part: string; updated_at: Date }>("SELECT name, public_part, updated_at FROM server_keys ORDER BY name")).rows;

beforeAll(async () => {
  ensureBuild(REPO);
  database = await scratchDatabase(dbName, 2);
}, 300_000);

afterAll(async () => {
  for (const proc of running) {
    if (proc.exitCode === null && proc.signalCode === null) {
      try {
        process.kill(-proc.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
  await database?.drop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the server's keys across instances, through npm start", () => {
  it("two instances starting at once share one CA and one host key (the old file's); another AUTH_SECRET stops the start and changes nothing", async () => {
    const [a, b] = await Promise.all([launch(AUTH_SECRET), launch(AUTH_SECRET)]);
    await Promise.all([ready(a), ready(b)]);
    const both = a.output.join("") + b.output.join("");
    expect(both.match(/Agent TLS: made a private CA/g)).toHaveLength(1);
    expect(both.match(/SSH host key imported from/g)).toHaveLength(1);

    const stored = await rows();
    expect(stored.map((r) => r.name)).toEqual(["agent-ca", "agent-server", "ssh-host"]);
    for (const instance of [a, b]) {
      const res = await fetch(`${instance.base}/agent-ca.pem`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(stored[0]!.public_part);
      expect(await hostKeySeen(instance.sshPort)).toBe(oldHostKey.publicKey.split(" ").slice(0, 2).join(" "));
    }

    const wrong = await launch(randomBytes(24).toString("hex"));
    const code = await Promise.race([wrong.exit, new Promise<"running">((r) => setTimeout(() => r("running"), 180_000))]);
    const said = wrong.output.join("");
    expect(code, said).not.toBe(0);
    expect(code, said).not.toBe("running");
    expect(said).toMatch(/Could not start: The server key "agent-ca" stored in the database \(table server_keys\) cannot be decrypted with this instance's AUTH_SECRET/);
    expect(said).toMatch(/Start every instance that shares this database with the same AUTH_SECRET/);
    expect(said).not.toMatch(/made a private CA/);
    expect(await rows()).toEqual(stored);
    // Three starts of the production server, each allowed 180 s on a busy machine.
  }, 420_000);
});
