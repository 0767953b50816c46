import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { embeddedDatabaseUrl } from "../lib/db/embedded";
import { queryOnce } from "../lib/db/query-once";
import { newId } from "../lib/ids";
import { ensureBuild, freePort } from "./scratch-server";
import { isAlive, killGroup, listeningOn, postmasterPid, signIn, startNpm, treeOf, until, type Started } from "./launcher-support";

/**
 * `npm start` with the embedded database, as a newcomer runs it, one data
 * directory through four starts: the first prints the demo people's random
 * password once and listens on loopback only; killing npm's own process, then
 * the launcher, with SIGKILL leaves nothing running and the next start works;
 * a web server that dies is started again on the same database, and Ctrl-C
 * still stops everything ("Stopped. Your data is saved.").
 */

const REPO = process.cwd();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-launcher-"));
fs.chmodSync(dataDir, 0o755); // as root, PostgreSQL's own user must reach the cluster inside
let ports: { web: number; ssh: number; db: number };
let current: Started | undefined;
let password = "";

beforeAll(async () => {
  ensureBuild(REPO);
  ports = { web: await freePort(), ssh: await freePort(), db: await freePort() };
}, 600_000);
afterEach(() => killGroup(current));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const base = () => `http://localhost:${ports.web}`;

async function start(): Promise<Started> {
  current = startNpm(REPO, { PORT: String(ports.web), BOTDESK_SSH_PORT: String(ports.ssh), BOTDESK_EMBEDDED_DB_PORT: String(ports.db), BOTDESK_DATA_DIR: dataDir });
  await current.waitFor("Press Ctrl-C to stop.");
  return current;
}

/** Everything one start ran: the launcher, the web server, the postmaster. */
function processesOf(started: Started): number[] {
  const { launcher, webServer } = treeOf(started.npm.pid!);
  return [launcher, webServer!, postmasterPid(dataDir)];
}

async function allGone(pids: number[]): Promise<void> {
  await until(() => pids.every((p) => !isAlive(p)), 5_000, `processes ${pids.filter(isAlive).join(", ")} to end`);
}

/** Every file under the data directory that holds `text` (the cluster included: PostgreSQL's files are readable here). */
function filesHolding(dir: string, text: string): string[] {
  const grep = spawnSync("grep", ["-rlaF", "--", text, dir], { encoding: "utf8" });
  if (grep.status === 1) return []; // none
  if (grep.status !== 0) throw new Error(`grep failed: ${grep.stderr}`);
  return grep.stdout.trim().split("\n");
}

describe("npm start on the embedded database", () => {
  it("prints the demo people's random password once (stored nowhere in plain text), listens on loopback only, and stops everything when npm's own process is killed with SIGKILL", async () => {
    const first = await start();
    const out = first.output();
    const printed = /with the password\n\[botdesk\] +(\S+)\n/.exec(out);
    expect(printed, out).not.toBeNull();
    password = printed![1]!;
    expect(password).toMatch(/^[A-Za-z2-9]{20}$/);
    expect(out).not.toContain("botdesk-admin");
    expect(await signIn(base(), "admin@example.com", password)).not.toBeNull();
    expect(await signIn(base(), "admin@example.com", "botdesk-admin")).toBeNull();
    expect(filesHolding(dataDir, password)).toEqual([]);

    // Where it listens, and what the console says about it.
    expect(out).toContain(`Dashboard: http://localhost:${ports.web} (listening on 127.0.0.1 only; set BOTDESK_HOST=0.0.0.0 to open it to the network)`);
    expect(out).not.toMatch(/Network:/);
    await until(() => listeningOn(ports.ssh).length > 0, 10_000, "the SSH server");
    expect(listeningOn(ports.web)).toEqual(["127.0.0.1"]);
    expect(listeningOn(ports.ssh)).toEqual(["127.0.0.1"]);

    const started = processesOf(first);
    process.kill(first.npm.pid!, "SIGKILL");
    await allGone(started);
    await first.exited;
  }, 300_000);

  it("starts again on the same data directory, without printing a password; kill -9 of the launcher stops everything", async () => {
    const again = await start();
    expect(again.output()).not.toContain(password);
    expect(again.output()).not.toMatch(/is already in use/);
    expect(await signIn(base(), "admin@example.com", password)).not.toBeNull();
    const started = processesOf(again);
    process.kill(started[0]!, "SIGKILL");
    await allGone(started);
  }, 300_000);

  it("restarts a web server that dies, on the same running database, backing off while it keeps dying; Ctrl-C still stops everything", async () => {
    const third = await start();
    const cookie = (await signIn(base(), "admin@example.com", password))!;
    const [launcher, webServer, postmaster] = processesOf(third);
    // A row written before the crash, to find on the dashboard after it.
    const name = `survivor-${Date.now()}`;
    const url = embeddedDatabaseUrl(dataDir, ports.db);
    const [acme] = await queryOnce<{ id: string }>(url, "SELECT id FROM accounts WHERE name = 'Acme'");
    await queryOnce(url, `INSERT INTO principals (id, kind, name, name_key, account_id) VALUES ('${newId("bot")}', 'bot', '${name}', '${name}', '${acme!.id}')`);

    process.kill(webServer!, "SIGKILL");
    const killedAt = Date.now();
    await third.waitFor("The web server is running again (restart 1)", 30_000);
    expect(third.output()).toContain("The web server stopped unexpectedly: signal SIGKILL (kill -9, or the system's out-of-memory killer). Restarting it in 1 s; the database keeps running.");
    const users = await fetch(`${base()}/users`, { headers: { cookie } });
    expect(users.status).toBe(200);
    expect(await users.text()).toContain(name);
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(postmasterPid(dataDir)).toBe(postmaster);
    expect(isAlive(launcher!)).toBe(true);

    // It dies again at once: the wait doubles, and the console says it keeps dying.
    process.kill(treeOf(third.npm.pid!).webServer!, "SIGKILL");
    await third.waitFor("The web server is running again (restart 2)", 30_000);
    expect(third.output()).toContain("Restarting it in 2 s; the database keeps running. It has stopped 2 times in a row");

    // Ctrl-C in the terminal: the whole foreground process group gets SIGINT.
    const running = processesOf(third);
    process.kill(-third.npm.pid!, "SIGINT");
    await allGone(running);
    await third.exited;
    expect(third.output()).toContain("Stopped. Your data is saved.");
    expect(third.output().match(/stopped unexpectedly/g)).toHaveLength(2);
  }, 300_000);
});
