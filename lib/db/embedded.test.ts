import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "./client";
import { DataDirInUseError, startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded";
import { startTestDatabase } from "./test-database";
import { readEnv } from "../env";

// Creating an on-disk PGlite costs 5–11 s: the whole file shares ONE data
// directory, created once and reopened (about 1 s) where a test needs a restart.

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const EMBEDDED_TS = fileURLToPath(new URL("./embedded.ts", import.meta.url));

let root: string;
let dataDir: string;
let lockPath: string;
let running: EmbeddedPostgres | undefined;
const logs: string[] = [];

async function start(): Promise<EmbeddedPostgres> {
  running = await startEmbeddedPostgres({ dataDir, log: (l) => logs.push(l) });
  return running;
}

async function stop(): Promise<void> {
  await running?.stop();
  running = undefined;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

type ChildResult = { ok: true; url: string } | { ok: false; name: string; message: string; pid?: number };

/**
 * Runs startEmbeddedPostgres in another process, as a second `npm start` would.
 * "try": report and exit. "hold": report and keep the database open until killed.
 */
function startInChild(mode: "try" | "hold"): Promise<{ result: ChildResult; pid: number; exited: Promise<string> }> {
  const script = path.join(root, "child.mts");
  fs.writeFileSync(
    script,
    `import { startEmbeddedPostgres } from ${JSON.stringify(EMBEDDED_TS)};
const [dataDir, mode] = process.argv.slice(2);
try {
  const db = await startEmbeddedPostgres({ dataDir, log: () => {} });
  // As \`npm start\` does on Ctrl-C: stop, then exit. Installed before reporting, which the parent may answer at once.
  process.on("SIGTERM", () => void db.stop().then(() => { console.log("stopped"); process.exit(0); }));
  console.log(JSON.stringify({ ok: true, url: db.url }));
  if (mode === "try") { await db.stop(); process.exit(0); }
} catch (err) {
  console.log(JSON.stringify({ ok: false, name: err.name, message: err.message, pid: err.pid }));
  process.exit(0);
}
`,
  );
  const child = spawn(process.execPath, ["--import", "tsx", script, dataDir, mode], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const exited = new Promise<string>((resolve) => child.once("close", () => resolve(out)));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ result: JSON.parse(line) as ChildResult, pid: child.pid!, exited });
    });
    child.once("error", reject);
    void exited.then(() => reject(new Error(`child exited without a result: ${out}`)));
  });
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-embedded-"));
  dataDir = path.join(root, "data");
  lockPath = path.join(dataDir, "botdesk.lock");
  await start();
}, 120_000);

afterAll(async () => {
  await stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("startEmbeddedPostgres", { timeout: 60_000 }, () => {
  it("creates the database on first start and locks the data directory", () => {
    expect(logs.some((l) => l.startsWith(`Creating the embedded database in ${path.join(dataDir, "pg")}`))).toBe(true);
    expect(running!.url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres/);
    const lock = JSON.parse(fs.readFileSync(lockPath, "utf8"));
    expect(lock).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    expect(Number.isNaN(Date.parse(lock.startedAt))).toBe(false);
  });

  it("serves pg and Prisma's adapter", async () => {
    expect(await query(running!.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    const prisma = createPrismaClient(running!.url, 1);
    try {
      expect(await prisma.$queryRaw<{ one: number }[]>`SELECT 1::int AS one`).toEqual([{ one: 1 }]);
    } finally {
      await prisma.$disconnect();
    }
  });

  it("listens on loopback only", async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal);
    if (!external) return; // no other interface to try
    const port = Number(new URL(running!.url).port);
    const reached = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: external.address, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    expect(reached).toBe(false);
  });

  it("refuses a second start in the same process, and keeps the first one's lock", async () => {
    const before = fs.readFileSync(lockPath, "utf8");
    const second = startEmbeddedPostgres({ dataDir, log: () => {} });
    await expect(second).rejects.toBeInstanceOf(DataDirInUseError);
    await expect(second).rejects.toThrow(
      `Data directory ${dataDir} is already in use by process ${process.pid}. Stop that Botdesk first, or set BOTDESK_DATA_DIR to another directory.`,
    );
    expect(fs.readFileSync(lockPath, "utf8")).toBe(before);
    expect(await query(running!.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("refuses a second start from another process while the first runs", async () => {
    const before = fs.readFileSync(lockPath, "utf8");
    const { result } = await startInChild("try");
    expect(result).toMatchObject({ ok: false, name: "DataDirInUseError", pid: process.pid });
    expect(result.ok === false && result.message).toContain(`already in use by process ${process.pid}.`);
    expect(fs.readFileSync(lockPath, "utf8")).toBe(before);
  });

  it("keeps data across stop and restart, and releases the lock on stop", async () => {
    await query(running!.url, "CREATE TABLE kept (note text)");
    await query(running!.url, "INSERT INTO kept VALUES ('before restart')");
    const first = running!;
    await stop();
    await first.stop(); // idempotent
    expect(fs.existsSync(lockPath)).toBe(false);

    const t0 = performance.now();
    await start();
    console.log(`reopen an existing data directory: ${Math.round(performance.now() - t0)} ms`);
    expect(await query(running!.url, "SELECT note FROM kept")).toEqual([{ note: "before restart" }]);
  });

  it("takes over a stale lock left by a process that no longer runs", async () => {
    await stop();
    const pid = await deadPid();
    fs.writeFileSync(lockPath, JSON.stringify({ pid, startedAt: new Date().toISOString(), hostname: os.hostname() }));
    logs.length = 0;
    await start();
    expect(logs).toContain(`Data directory ${dataDir} had a stale lock of process ${pid} (no longer running): taking it over.`);
    expect(JSON.parse(fs.readFileSync(lockPath, "utf8")).pid).toBe(process.pid);
    expect(await query(running!.url, "SELECT count(*)::int AS n FROM kept")).toEqual([{ n: 1 }]);
  });

  it("stops cleanly in a process that exits once stop() resolves", async () => {
    await stop();
    const holder = await startInChild("hold");
    expect(holder.result.ok).toBe(true);
    process.kill(holder.pid, "SIGTERM");
    expect((await holder.exited).trim().split("\n").pop()).toBe("stopped");
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it("after a process holding the database is killed, takes over its lock with its committed data", async () => {
    await stop();
    const holder = await startInChild("hold");
    expect(holder.result.ok).toBe(true);
    const url = (holder.result as { url: string }).url;
    await query(url, "INSERT INTO kept VALUES ('from the killed process')");
    process.kill(holder.pid, "SIGKILL");
    await holder.exited;
    expect(JSON.parse(fs.readFileSync(lockPath, "utf8")).pid).toBe(holder.pid);

    await start();
    expect(JSON.parse(fs.readFileSync(lockPath, "utf8")).pid).toBe(process.pid);
    expect(await query(running!.url, "SELECT note FROM kept ORDER BY note")).toEqual([
      { note: "before restart" },
      { note: "from the killed process" },
    ]);
  });
});

describe("startTestDatabase", () => {
  it("gives a migrated database", async () => {
    const migrations = fs
      .readdirSync(path.join(REPO, "prisma", "migrations"), { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(REPO, "prisma", "migrations", d.name, "migration.sql")))
      .map((d) => d.name)
      .sort();
    const t0 = performance.now();
    const testDb = await startTestDatabase();
    console.log(`startTestDatabase (${readEnv().TEST_DATABASE_URL ? "server" : "template"}): ${Math.round(performance.now() - t0)} ms`);
    try {
      const rows = await query<{ migration_name: string }>(
        testDb.url,
        "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name",
      );
      expect(migrations.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.migration_name)).toEqual(migrations);
    } finally {
      await testDb.stop();
    }
  }, 120_000);
});
