import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, IMPORTED_MARKER, type EmbeddedPostgres } from "./embedded";
import { locatePostgresBinaries, runnableBinaries, serverUser } from "./postgres-binaries";
import { freePort, isAlive } from "./postgres-server";
import { queryOnce } from "./query-once";
import { hashSecret, parseToken } from "../domain/credentials/token-format";

// Each test gets its own data directory: a new cluster takes about 1–2 s, a restart a few hundred ms.

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const EMBEDDED_TS = fileURLToPath(new URL("./embedded.ts", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/pglite-data-dir-0.1.0.tar.gz", import.meta.url));
/** The API key created in the fixture by Botdesk 0.1.0 (see fixtures/README.md). */
const FIXTURE_TOKEN = "bdak_0355WzzTsFpHNubIUVVqKb_CKsRxybmE6iGAy0uVfF6dSxKaPMW4MP7_1E28pj";

let root: string;
const running: EmbeddedPostgres[] = [];
const logs: string[] = [];

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-embedded-"));
  fs.chmodSync(root, 0o755); // as root, the server's user must reach the data directories inside
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((db) => db.stop()));
  logs.length = 0;
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function newDataDir(): string {
  const dir = fs.mkdtempSync(path.join(root, "data-"));
  fs.chmodSync(dir, 0o755); // mkdtemp makes it private; a checkout's data directory is not
  return dir;
}

async function start(dataDir: string, extra: { port?: number; rootFallbackDir?: string } = {}): Promise<EmbeddedPostgres> {
  const db = await startEmbeddedPostgres({ dataDir, log: (l) => logs.push(l), ...extra });
  running.push(db);
  return db;
}


function postmasterPid(pgdata: string): number | null {
  try {
    return Number(fs.readFileSync(path.join(pgdata, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return null;
  }
}


async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

type ChildResult = { ok: true; url: string } | { ok: false; name: string; message: string };

/** Starts the embedded database in another process, as another `npm start` would, and keeps it until killed. */
function startInChild(dataDir: string): Promise<{ result: ChildResult; pid: number; exited: Promise<void> }> {
  const script = path.join(root, "child.mts");
  fs.writeFileSync(
    script,
    `import { startEmbeddedPostgres } from ${JSON.stringify(EMBEDDED_TS)};
try {
  const db = await startEmbeddedPostgres({ dataDir: process.argv[2], log: () => {} });
  console.log(JSON.stringify({ ok: true, url: db.url }));
  setInterval(() => {}, 1 << 30);
} catch (err) {
  console.log(JSON.stringify({ ok: false, name: err.name, message: err.message }));
  process.exit(0);
}
`,
  );
  const child = spawn(process.execPath, ["--import", "tsx", script, dataDir], { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ result: JSON.parse(line) as ChildResult, pid: child.pid!, exited });
    });
    child.once("close", (code) => reject(new Error(`child exited (${code}) before reporting: ${out}`)));
  });
}

describe("the embedded PostgreSQL", () => {
  it("creates a password-protected cluster listening on loopback only, and keeps data across restarts", async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    expect(logs.join("\n")).toContain("first start only");
    expect(first.pgdata).toBe(path.join(dataDir, "postgres"));
    expect(fs.statSync(path.join(dataDir, "postgres-password")).mode & 0o777).toBe(0o600);
    const [settings] = await queryOnce<{ listen: string; version: string }>(first.url, "SELECT current_setting('listen_addresses') AS listen, current_setting('server_version') AS version");
    expect(settings).toEqual({ listen: "127.0.0.1", version: expect.stringMatching(/^18\./) });
    // Without the password the server refuses.
    const url = new URL(first.url);
    url.password = "wrong";
    await expect(queryOnce(url.toString(), "SELECT 1")).rejects.toThrow(/password authentication failed/);

    await queryOnce(first.url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    const pid = postmasterPid(first.pgdata)!;
    await first.stop();
    expect(isAlive(pid)).toBe(false);

    logs.length = 0;
    const second = await start(dataDir);
    expect(logs.join("\n")).not.toContain("first start only");
    expect(await queryOnce(second.url, "SELECT v FROM kept")).toEqual([{ v: "still here" }]);
  });

  it("refuses a second start on the same data directory, naming the process that has it", async () => {
    const dataDir = newDataDir();
    await start(dataDir);
    const other = await startInChild(dataDir);
    expect(other.result).toMatchObject({ ok: false, name: "DataDirInUseError", message: `Data directory ${dataDir} is already in use by process ${process.pid}. Stop that Botdesk first, or set BOTDESK_DATA_DIR to another directory.` });
    await other.exited;
  });

  it("shuts the server down when the process that started it is killed with SIGKILL", async () => {
    const dataDir = newDataDir();
    const child = await startInChild(dataDir);
    expect(child.result.ok).toBe(true);
    const pid = postmasterPid(path.join(dataDir, "postgres"))!;
    expect(isAlive(pid)).toBe(true);
    process.kill(child.pid, "SIGKILL");
    expect(await until(() => !isAlive(pid), 10_000)).toBe(true);
    // And the next start works on the same data.
    const again = await start(dataDir);
    expect(await queryOnce(again.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("stops a server left running on its data directory without a Botdesk, and says so", async () => {
    const dataDir = newDataDir();
    const first = await start(dataDir);
    await queryOnce(first.url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('intact')");
    await first.stop();
    running.length = 0;
    // A postmaster whose parent is gone: started directly, as an older launcher or a killed watchdog would leave it.
    const user = serverUser(() => {});
    const binaries = runnableBinaries(locatePostgresBinaries(), user, () => {});
    const orphan = spawn(binaries.postgres, ["-D", first.pgdata, "-c", "listen_addresses=127.0.0.1", "-c", `port=${await freePort()}`, "-c", "unix_socket_directories="], {
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      detached: true,
      stdio: "ignore",
    });
    orphan.unref();
    expect(await until(() => postmasterPid(first.pgdata) === orphan.pid, 10_000)).toBe(true);

    const second = await start(dataDir);
    expect(logs.join("\n")).toContain(`Stopped the database server (process ${orphan.pid}) that an earlier Botdesk left running; its data is intact.`);
    expect(isAlive(orphan.pid!)).toBe(false);
    expect(await queryOnce(second.url, "SELECT v FROM kept")).toEqual([{ v: "intact" }]);
  });

  it("says which port is taken when BOTDESK_EMBEDDED_DB_PORT is in use", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(start(newDataDir(), { port })).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });
});

describe("moving an old PGlite data directory", () => {
  function withFixture(): string {
    const dataDir = newDataDir();
    expect(spawnSync("tar", ["-xzf", FIXTURE, "-C", dataDir]).status).toBe(0);
    return dataDir;
  }

  it("copies every row of Botdesk 0.1.0's data into PostgreSQL once, keeps the old directory, and the old API key still verifies", async () => {
    const dataDir = withFixture();
    const db = await start(dataDir);
    const log = logs.join("\n");
    expect(log).toContain(`Moving your data from the old embedded database (PGlite, ${path.join(dataDir, "pg")})`);
    expect(log).toMatch(/Copied \d+ rows in \d+ tables; every table's row count checked\./);

    const bots = await queryOnce<{ name: string; status: string; deleted: boolean }>(
      db.url,
      "SELECT name, status::text AS status, deleted_at IS NOT NULL AS deleted FROM principals WHERE kind = 'bot' ORDER BY name",
    );
    expect(bots).toEqual([
      { name: "billing-sync", status: "deactivated", deleted: false },
      { name: "ci-deployer", status: "active", deleted: false },
      { name: "deleted-bot", status: expect.any(String), deleted: true },
      { name: "edge-agent-prod", status: "active", deleted: false },
      { name: "migrated-bot", status: "active", deleted: false },
    ]);
    const [key] = await queryOnce<{ secret_hash: string; description: string; metadata: string }>(
      db.url,
      "SELECT secret_hash, description, metadata FROM credentials WHERE description = 'kept key'",
    );
    expect(key!.secret_hash).toBe(hashSecret(FIXTURE_TOKEN));
    // Its checksum, written by 0.1.0's own CRC32 table, still passes today's check (zlib's crc32).
    expect(parseToken(FIXTURE_TOKEN)).toMatchObject({ kind: "api_key" });
    expect(key!.metadata).toBe('{"team":"é ü ☃"}');
    const [events] = await queryOnce<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM events WHERE type IN ('bot.deleted', 'bot.deactivated', 'credential.created')");
    expect(events!.n).toBeGreaterThanOrEqual(3);
    // The migration history came across too: nothing is pending or re-applied.
    const migrations = await queryOnce<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL");
    expect(migrations[0]!.n).toBeGreaterThanOrEqual(3);

    expect(fs.existsSync(path.join(dataDir, "pg", "PG_VERSION"))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, "pg", IMPORTED_MARKER))).toBe(true);
    await db.stop();
    running.length = 0;
    logs.length = 0;
    await start(dataDir);
    expect(logs.join("\n")).not.toContain("Moving your data");
    expect(logs.join("\n")).toContain("was copied to PostgreSQL and is no longer used; delete it when you no longer need it");
  });

  it("creates nothing when the old data cannot be moved, and says why", async () => {
    const dataDir = withFixture();
    // An old database migrated with something this version does not know.
    const { PGlite } = await import("@electric-sql/pglite");
    const old = await PGlite.create({ dataDir: path.join(dataDir, "pg") });
    await old.exec("UPDATE _prisma_migrations SET checksum = repeat('0', 64) WHERE migration_name LIKE '%_init'");
    await old.close();

    await expect(start(dataDir)).rejects.toThrow(/Moving the old PGlite data failed, and nothing was changed \(The old database was migrated with `\d+_init`, which this version of Botdesk has in a different form/);
    expect(fs.existsSync(path.join(dataDir, "postgres"))).toBe(false);
    expect(fs.readdirSync(dataDir).filter((f) => f.startsWith("postgres.init"))).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, "pg", IMPORTED_MARKER))).toBe(false);
  });
});

describe.runIf(process.getuid?.() === 0)("as root", () => {
  it("keeps the cluster where the server's user can reach it when the checkout is private, and says where", async () => {
    const privateDir = fs.mkdtempSync(path.join(root, "private-"));
    fs.chmodSync(privateDir, 0o700);
    const dataDir = path.join(privateDir, "data");
    const fallback = fs.mkdtempSync(path.join(root, "fallback-"));
    const db = await start(dataDir, { rootFallbackDir: fallback });
    expect(db.pgdata.startsWith(path.join(fallback, "clusters"))).toBe(true);
    expect(fs.readlinkSync(path.join(dataDir, "postgres"))).toBe(db.pgdata);
    expect(logs.join("\n")).toContain(`Its cluster lives in ${db.pgdata}`);
    await queryOnce(db.url, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (1)");
    await db.stop();
    running.length = 0;
    const again = await start(dataDir, { rootFallbackDir: fallback });
    expect(await queryOnce(again.url, "SELECT v FROM kept")).toEqual([{ v: 1 }]);

    // The data directory deleted (password and link with it): a new start keeps the old cluster aside and says so.
    await again.stop();
    running.length = 0;
    fs.rmSync(dataDir, { recursive: true });
    logs.length = 0;
    const fresh = await start(dataDir, { rootFallbackDir: fallback });
    expect(fresh.pgdata).toBe(db.pgdata);
    expect(logs.join("\n")).toMatch(/left from an earlier .* that no longer exists; moved it to .*postgres\.previous-/);
    expect(await queryOnce(fresh.url, "SELECT to_regclass('kept') IS NULL AS gone")).toEqual([{ gone: true }]);
  });

  it("copies the binaries once to where the server's user can run them", () => {
    const user = serverUser(() => {})!;
    // A stand-in "native" folder inside a directory only root can enter.
    const privateDir = fs.mkdtempSync(path.join(root, "private-bin-"));
    fs.chmodSync(privateDir, 0o700);
    const native = path.join(privateDir, "native");
    fs.mkdirSync(path.join(native, "bin"), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(native, "bin", "postgres"), "#!/bin/sh\necho 'postgres (PostgreSQL) 18.4'\n", { mode: 0o755 });
    const fallback = fs.mkdtempSync(path.join(root, "fallback-bin-"));
    fs.chmodSync(fallback, 0o755);
    const said: string[] = [];
    const binaries = { dir: native, version: "0.0.0-test", initdb: path.join(native, "bin", "initdb"), postgres: path.join(native, "bin", "postgres") };
    const usable = runnableBinaries(binaries, user, (l) => said.push(l), fallback);
    expect(usable.postgres.startsWith(fallback)).toBe(true);
    expect(spawnSync(usable.postgres, ["--version"], { uid: user.uid, gid: user.gid }).status).toBe(0);
    expect(said.join("\n")).toContain(`The user "postgres" cannot reach ${native}`);
    // Once: the second time it uses the copy without a word.
    said.length = 0;
    expect(runnableBinaries(binaries, user, (l) => said.push(l), fallback).postgres).toBe(usable.postgres);
    expect(said).toEqual([]);
  });
});
