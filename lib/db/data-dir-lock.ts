import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The lock file that guards an embedded database's data directory: two
 * processes that open the same PGlite directory get no error and silently
 * lose data.
 */

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
/** A lock from another host cannot be checked by pid: its owner touches it instead. */
const HEARTBEAT_MS = 30_000;
const FOREIGN_LOCK_STALE_MS = 2 * 60_000;

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
export function acquireLock(dataDir: string, log: (line: string) => void): { release(): void } {
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
