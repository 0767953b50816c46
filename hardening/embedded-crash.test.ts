import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../lib/db/embedded";
import { isAlive } from "../lib/db/postgres-server";
import { queryOnce } from "../lib/db/query-once";

/**
 * The embedded PostgreSQL when the process that owns it dies by SIGKILL: a
 * child process starts it (as `npm start` does) and commits rows one at a time,
 * printing each id once PostgreSQL acknowledged its commit. The child is killed
 * mid-stream, alone (its watchdog then shuts the server down) or together with
 * the postmaster (a crash: the next start replays the WAL). Every acknowledged
 * row must be there at the next start, which takes over the stale lock, and no
 * process may be left holding the old port.
 */

const EMBEDDED_TS = path.resolve("lib/db/embedded.ts");
const PG = createRequire(import.meta.url).resolve("pg");
let root: string;
const running: EmbeddedPostgres[] = [];

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-crash-"));
  fs.chmodSync(root, 0o755); // as root, the server's user must reach the data directories inside
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((db) => db.stop()));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function newDataDir(): string {
  const dir = fs.mkdtempSync(path.join(root, "data-"));
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** The child: starts the embedded database, reports its URL and postmaster, then commits rows 1, 2, 3, … and prints each acknowledged id. */
function writer(dataDir: string) {
  const script = path.join(root, "writer.mts");
  fs.writeFileSync(
    script,
    `import pg from ${JSON.stringify(PG)};
import { startEmbeddedPostgres } from ${JSON.stringify(EMBEDDED_TS)};
const db = await startEmbeddedPostgres({ dataDir: process.argv[2], log: () => {} });
const client = new pg.Client({ connectionString: db.url });
await client.connect();
await client.query("CREATE TABLE acked (id int PRIMARY KEY, payload text NOT NULL)");
console.log(JSON.stringify({ url: db.url, pgdata: db.pgdata }));
for (let i = 1; ; i++) {
  await client.query("INSERT INTO acked VALUES ($1, repeat('x', 2000))", [i]);
  console.log(i);
}
`,
  );
  const child = spawn(process.execPath, ["--import", "tsx", script, dataDir], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let acked = 0;
  let info: { url: string; pgdata: string } | null = null;
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith("{")) info = JSON.parse(line) as { url: string; pgdata: string };
      else if (/^\d+$/.test(line)) acked = Number(line);
    }
  });
  return {
    child,
    exited,
    acked: () => acked,
    info: () => info,
  };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function postmasterPid(pgdata: string): number {
  return Number(fs.readFileSync(path.join(pgdata, "postmaster.pid"), "utf8").split("\n")[0]);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(true));
  });
}

describe("the embedded PostgreSQL when its owner is killed with SIGKILL", () => {
  for (const crash of [false, true]) {
    it(crash ? "with the postmaster killed too (a crash): every acknowledged commit is there after WAL replay" : "alone: its watchdog stops the server, and every acknowledged commit is there at the next start", async () => {
      const dataDir = newDataDir();
      const w = writer(dataDir);
      let gone = false;
      void w.exited.then(() => (gone = true));
      await until(() => w.acked() >= 100 || gone, 60_000);
      expect(gone, "the writer exited before 100 commits").toBe(false);
      const { url, pgdata } = w.info()!;
      const port = Number(new URL(url).port);
      const postmaster = postmasterPid(pgdata);
      // The durable settings: each commit is flushed to the WAL on disk before it is acknowledged.
      expect(await queryOnce(url, "SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc, current_setting('full_page_writes') AS fpw")).toEqual([
        { fsync: "on", sc: "on", fpw: "on" },
      ]);
      process.kill(w.child.pid!, "SIGKILL");
      if (crash) process.kill(postmaster, "SIGKILL");
      await w.exited;
      const acked = w.acked();
      // Nothing is left behind holding the port.
      await until(() => !isAlive(postmaster), 15_000);
      expect(await portIsFree(port)).toBe(true);

      const again = await startEmbeddedPostgres({ dataDir, port, log: () => {} });
      running.push(again);
      const [row] = await queryOnce<{ n: number; max: number }>(again.url, "SELECT count(*)::int AS n, max(id) AS max FROM acked");
      // Every acknowledged row, and at most the one commit in flight besides.
      expect(row!.n).toBe(row!.max);
      expect(row!.n).toBeGreaterThanOrEqual(acked);
      expect(row!.n).toBeLessThanOrEqual(acked + 1);
      console.log(`[embedded-crash] ${crash ? "owner + postmaster" : "owner"} killed after ${acked} acknowledged commits: ${row!.n} rows after restart`);
    });
  }
});
