import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild, freePort, scratchDatabase } from "./scratch-server";
import { startLauncher, type Launcher } from "./launcher-support";
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
const launchers: Launcher[] = [];
let database: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
const oldHostKey = sshKeygen("ed25519");

/** An instance: the launcher, the address its web server answers on and its SSH port. */
interface Instance extends Launcher {
  base: string;
  sshPort: number;
}

async function launch(secret: string): Promise<Instance> {
  const [port, sshPort] = [await freePort(), await freePort()];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-server-keys-"));
  dirs.push(dataDir);
  fs.writeFileSync(path.join(dataDir, "ssh_host_ed25519_key"), oldHostKey.privateKey, { mode: 0o600 });
  const launcher = startLauncher(REPO, { PORT: String(port), DATABASE_URL: database!.url, BOTDESK_DATA_DIR: dataDir, AUTH_SECRET: secret, BOTDESK_SSH_PORT: String(sshPort) });
  launchers.push(launcher);
  return { ...launcher, base: `http://127.0.0.1:${port}`, sshPort };
}

/** Until its SSH server has started. */
function ready(instance: Instance): Promise<void> {
  return instance.waitUntil((out) => out.includes(`SSH server for agents on port ${instance.sshPort}`), 180_000, "SSH server");
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
  await Promise.all(launchers.map((launcher) => launcher.stop("SIGKILL")));
  await database?.drop();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the server's keys across instances, through npm start", () => {
  it("two instances starting at once share one CA and one host key (the old file's); another AUTH_SECRET stops the start and changes nothing", async () => {
    const [a, b] = await Promise.all([launch(AUTH_SECRET), launch(AUTH_SECRET)]);
    await Promise.all([ready(a), ready(b)]);
    const both = a.output() + b.output();
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
    const code = await Promise.race([wrong.exited, new Promise<"running">((r) => setTimeout(() => r("running"), 180_000))]);
    const said = wrong.output();
    expect(code, said).not.toBe(0);
    expect(code, said).not.toBe("running");
    expect(said).toMatch(/Could not start: The server key "agent-ca" stored in the database \(table server_keys\) cannot be decrypted with this instance's AUTH_SECRET/);
    expect(said).toMatch(/Start every instance that shares this database with the same AUTH_SECRET/);
    expect(said).not.toMatch(/made a private CA/);
    expect(await rows()).toEqual(stored);
    // Three starts of the production server, each allowed 180 s on a busy machine.
  }, 420_000);
});
