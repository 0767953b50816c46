import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * The embedded PostgreSQL: PGlite (PostgreSQL in WebAssembly) served on a
 * loopback port, so the app talks to it through the same `pg` /
 * `@prisma/adapter-pg` path as to a real server. The socket server queues
 * queries globally but can interleave extended-protocol messages from
 * different connections: the app must use ONE pooled connection. The extra
 * connection slots are for tools such as psql.
 *
 * Two processes that open the same PGlite directory get no error and silently
 * lose data, so a lock file guards the data directory.
 */

export type EmbeddedPostgres = { url: string; dataDir: string; stop(): Promise<void> };
export type InMemoryPostgres = { url: string; stop(): Promise<void> };

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly hostname?: string,
  ) {
    super(
      `Data directory ${dataDir} is already in use by process ${pid}` +
        (hostname ? ` on host ${hostname} (its lock is refreshed while it runs and is taken over once ${FOREIGN_LOCK_STALE_MS / 60_000} minutes old)` : "") +
        `. Stop that Botdesk first, or set BOTDESK_DATA_DIR to another directory.`,
    );
    this.name = "DataDirInUseError";
  }
}

const LOCK_FILE = "botdesk.lock";
const MAX_CONNECTIONS = 8;
/** A lock from another host cannot be checked by pid: its owner touches it instead. */
const HEARTBEAT_MS = 30_000;
const FOREIGN_LOCK_STALE_MS = 2 * 60_000;

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<EmbeddedPostgres> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = acquireLock(dataDir, log);
  let db: PGlite | undefined;
  try {
    const pgDir = path.join(dataDir, "pg");
    // PGlite builds a new database elsewhere and copies it in when done, so a
    // directory without PG_VERSION has never held data.
    if (!fs.existsSync(path.join(pgDir, "PG_VERSION"))) {
      log(`Creating the embedded database in ${pgDir} (first start only)…`);
    }
    fs.mkdirSync(pgDir, { recursive: true });
    db = await PGlite.create({ dataDir: pgDir });
    const served = await serveAndOwn(db, opts.port ?? 0, () => lock.release());
    return { url: served.url, dataDir, stop: served.stop };
  } catch (err) {
    await db?.close().catch(() => {});
    lock.release();
    throw err;
  }
}

/** An in-memory database loaded from a `dumpDataDir()` tarball (for tests): no lock, nothing on disk. */
export async function startEmbeddedPostgresFromDump(opts: {
  dump: Blob | File | Buffer | Uint8Array;
  port?: number;
}): Promise<InMemoryPostgres> {
  const db = await PGlite.create({ loadDataDir: toTarball(opts.dump) });
  try {
    return await serveAndOwn(db, opts.port ?? 0, () => {});
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}

/**
 * Serves an open PGlite on a loopback port. stop() stops serving and leaves
 * the database open (its owner closes it); it is idempotent.
 */
export async function servePGlite(db: PGlite, port = 0): Promise<{ url: string; stop(): Promise<void> }> {
  // The host is explicit: the database has no password, it must never listen beyond loopback.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port, maxConnections: MAX_CONNECTIONS });
  try {
    await server.start();
  } catch (err) {
    if (code(err) !== "EADDRINUSE") throw err;
    throw new Error(`Port ${port} on 127.0.0.1 is already in use: the embedded database needs a free port (0 picks any).`, { cause: err });
  }
  const actualPort = Number(server.getServerConn().split(":").pop());
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // server.stop() waits for clients to hang up; do not let one stuck client block shutdown.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([server.stop(), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
      // Disconnected handlers roll back their open transactions without being awaited: let them finish.
      // (A referenced timer: with nothing else pending, an unreferenced one would let the process exit here.)
      await new Promise((resolve) => setTimeout(resolve, 20));
    })());
  return { url: `postgresql://postgres@127.0.0.1:${actualPort}/postgres?sslmode=disable`, stop };
}

/** Serves `db` and returns a stop() that also closes it, then runs `afterClose` (even if closing failed). */
async function serveAndOwn(db: PGlite, port: number, afterClose: () => void): Promise<InMemoryPostgres> {
  const served = await servePGlite(db, port);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        await served.stop();
        if (!db.closed) await db.close(); // flushes to disk
      } finally {
        afterClose();
      }
    })());
  return { url: served.url, stop };
}

function toTarball(dump: Blob | File | Buffer | Uint8Array): Blob {
  if (dump instanceof Blob) return dump;
  // PGlite decides on gunzip by file name or MIME type: give it the one that matches the bytes.
  const gzipped = dump[0] === 0x1f && dump[1] === 0x8b;
  return new File([new Uint8Array(dump)], gzipped ? "pgdata.tar.gz" : "pgdata.tar", {
    type: gzipped ? "application/gzip" : "application/x-tar",
  });
}

// ---------------------------------------------------------------------------
// The data-directory lock

type LockInfo = { pid: number; startedAt: string; hostname: string };

/** Locks held by this process, across module copies (Next bundles, hot reload). */
const heldLocks: Set<string> = ((globalThis as { botdeskHeldLocks?: Set<string> }).botdeskHeldLocks ??= new Set());

/**
 * Takes `<dataDir>/botdesk.lock`, or throws DataDirInUseError while its owner
 * runs. The lock file is written in full to a temporary name and linked into
 * place, so it appears atomically and exclusively. Only the holder of
 * `botdesk.lock.takeover` may remove a stale lock, so two starters racing for
 * a stale lock cannot both win.
 */
function acquireLock(dataDir: string, log: (line: string) => void): { release(): void } {
  const lockPath = path.join(dataDir, LOCK_FILE);
  if (heldLocks.has(lockPath)) throw new DataDirInUseError(dataDir, process.pid);

  const mine: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), hostname: os.hostname() };
  const content = JSON.stringify(mine);
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (createExclusive(lockPath, content)) break;
    const existing = readLock(lockPath);
    if (existing === "missing") continue;
    let what = "an unreadable lock";
    if (existing === "unreadable") {
      // Not written by this code (an atomic link never shows a partial file): give a slow writer a moment.
      if (ageMs(lockPath) < 5_000 && Date.now() < deadline) {
        sleepSync(100);
        continue;
      }
    } else {
      const stale = whyStale(existing, lockPath);
      if (!stale) {
        throw new DataDirInUseError(dataDir, existing.pid, existing.hostname === mine.hostname ? undefined : existing.hostname);
      }
      what = `a stale lock of process ${existing.pid} (${stale})`;
    }
    if (takeOver(lockPath, typeof existing === "string" ? undefined : existing, content)) {
      log(`Data directory ${dataDir} had ${what}: taking it over.`);
      break;
    }
    if (Date.now() > deadline) throw new Error(`Could not take the lock ${lockPath}: it keeps changing.`);
    sleepSync(50 + Math.random() * 100);
  }

  heldLocks.add(lockPath);
  const isOurs = () => {
    const now = readLock(lockPath);
    return typeof now === "object" && now.pid === mine.pid && now.startedAt === mine.startedAt && now.hostname === mine.hostname;
  };
  const heartbeat = setInterval(() => {
    const t = new Date();
    if (isOurs()) fs.utimes(lockPath, t, t, () => {});
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(heartbeat);
    process.off("exit", release);
    heldLocks.delete(lockPath);
    try {
      if (isOurs()) fs.unlinkSync(lockPath);
    } catch {
      // Already gone: nothing to release.
    }
  };
  // stop() is the normal path; this covers process.exit() and crashes (not signals: the caller handles those).
  process.on("exit", release);
  return { release };
}

/** Creates `target` with `content` only if it does not exist; false if it does. */
function createExclusive(target: string, content: string): boolean {
  const temp = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  fs.writeFileSync(temp, content, { flag: "wx" });
  try {
    fs.linkSync(temp, target);
    return true;
  } catch (err) {
    if (code(err) === "EEXIST") return false;
    // A file system without hard links: an exclusive create is atomic enough there.
    try {
      fs.writeFileSync(target, content, { flag: "wx" });
      return true;
    } catch (err2) {
      if (code(err2) === "EEXIST") return false;
      throw err2;
    }
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

function readLock(lockPath: string): LockInfo | "missing" | "unreadable" {
  let text: string;
  try {
    text = fs.readFileSync(lockPath, "utf8");
  } catch (err) {
    if (code(err) === "ENOENT") return "missing";
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockInfo>;
    if (Number.isInteger(parsed.pid) && typeof parsed.startedAt === "string" && typeof parsed.hostname === "string") {
      return parsed as LockInfo;
    }
  } catch {
    // fall through
  }
  return "unreadable";
}

/** Why the lock's owner is gone, or undefined while it may still run. */
function whyStale(lock: LockInfo, lockPath: string): string | undefined {
  if (lock.hostname !== os.hostname()) {
    const age = ageMs(lockPath);
    return age > FOREIGN_LOCK_STALE_MS ? `on host ${lock.hostname}, not refreshed for ${Math.round(age / 1000)} s` : undefined;
  }
  // Our own pid but not in heldLocks: a previous run that had the same pid (common in containers).
  if (lock.pid === process.pid) return "an earlier run with this process id";
  try {
    process.kill(lock.pid, 0);
  } catch (err) {
    if (code(err) !== "EPERM") return "no longer running"; // ESRCH: no such process
  }
  // The pid is alive, but it may have been reused by a process started after the lock was written.
  const started = processStartMs(lock.pid);
  if (started !== undefined && started > Date.parse(lock.startedAt) + 2_000) return "its process id now belongs to another process";
  return undefined;
}

/** Start time of a process (Linux only; undefined elsewhere). */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const startTicks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const bootSec = Number(/^btime (\d+)$/m.exec(fs.readFileSync("/proc/stat", "utf8"))?.[1]);
    const ms = bootSec * 1000 + startTicks * 10; // USER_HZ is 100 on Linux
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the stale lock `seen` (undefined: unreadable) with ours, under the takeover mutex. */
function takeOver(lockPath: string, seen: LockInfo | undefined, content: string): boolean {
  const mutex = `${lockPath}.takeover`;
  if (!createExclusive(mutex, content)) {
    // A takeover is a few milliseconds: an old mutex belongs to a starter that died mid-way.
    if (ageMs(mutex) > 10_000) fs.rmSync(mutex, { force: true });
    return false;
  }
  try {
    // Re-check under the mutex: another starter may have replaced the stale lock already.
    const now = readLock(lockPath);
    const unchanged = seen === undefined ? now === "unreadable" : typeof now === "object" && JSON.stringify(now) === JSON.stringify(seen);
    if (now !== "missing" && !unchanged) return false;
    fs.rmSync(lockPath, { force: true });
    return createExclusive(lockPath, content);
  } finally {
    fs.rmSync(mutex, { force: true });
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
