import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import type { PostgresBinaries, ServerUser } from "./postgres-binaries";

/**
 * One PostgreSQL cluster run by this process: initdb, start, stop, and what to
 * do about a server already running on the same data directory.
 */

/** The cluster's superuser; the app connects as it, over loopback, with a password. */
export const SUPERUSER = "botdesk";

export interface ServerOptions {
  pgdata: string;
  binaries: PostgresBinaries;
  user: ServerUser | null;
  password: string;
  /** 0 or undefined: any free loopback port. */
  port?: number;
  /** The server's own log (appended). */
  logFile: string;
  /** Extra `-c name=value` settings (tests turn durability off). */
  settings?: Record<string, string>;
}

export interface RunningServer {
  port: number;
  /** The postmaster's process id. */
  pid: number;
  url(database: string): string;
  /** Fast shutdown (clients are disconnected, data is flushed); idempotent. */
  stop(): Promise<void>;
  /** Resolves when the server has exited, for whatever reason. */
  exited: Promise<void>;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`Data directory ${dataDir} is already in use by process ${pid}. Stop that Botdesk first, or set BOTDESK_DATA_DIR to another directory.`);
    this.name = "DataDirInUseError";
  }
}

/** The watchdog's name in `ps`: the shell between this process and the postmaster. */
const WATCHDOG_NAME = "botdesk-postgres";
/**
 * The postmaster runs under a small shell that owns the other end of a pipe
 * from this process: when the pipe closes — stop(), or this process killed,
 * even by SIGKILL — it asks PostgreSQL for a fast shutdown. So no server is
 * left running behind a dead `npm start`.
 */
// (A background job's stdin is /dev/null in a non-interactive shell: the pipe is kept on fd 3 for the reader.)
const WATCHDOG = `exec 3<&0
"$@" 3<&- &
pg=$!
(while read -r _; do :; done; kill -INT "$pg" 2>/dev/null) <&3 &
reader=$!
wait "$pg"
status=$?
kill "$reader" 2>/dev/null
exit "$status"`;

function asUser(user: ServerUser | null): { uid?: number; gid?: number } {
  return user ? { uid: user.uid, gid: user.gid } : {};
}

/** A minimal, predictable environment for the server's processes. */
function serverEnv(): NodeJS.ProcessEnv {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", LANG: "C" };
  if (process.env.TZ) env.TZ = process.env.TZ;
  return env as NodeJS.ProcessEnv;
}

/**
 * Creates a cluster at `pgdata`: initdb into a temporary directory beside it,
 * then `prepare` runs against a temporary server on it (to create databases or
 * import data), and only then is it renamed into place. A cluster that exists
 * is therefore always complete; a failure leaves nothing behind.
 */
export async function createCluster(
  opts: ServerOptions & { fastInit?: boolean },
  prepare: (server: RunningServer) => Promise<void>,
): Promise<void> {
  const temp = `${opts.pgdata}.init-${process.pid}-${randomBytes(3).toString("hex")}`;
  const pwfile = `${temp}.pw`;
  try {
    fs.mkdirSync(temp, { mode: 0o700 });
    fs.writeFileSync(pwfile, opts.password, { mode: 0o600 });
    if (opts.user) {
      fs.chownSync(temp, opts.user.uid, opts.user.gid);
      fs.chownSync(pwfile, opts.user.uid, opts.user.gid);
    }
    const init = spawnSync(
      opts.binaries.initdb,
      [
        "-D", temp, "-U", SUPERUSER, `--pwfile=${pwfile}`, "--auth=scram-sha-256",
        // Unicode-aware lower()/upper() and ILIKE, identical on every machine (no libc or ICU locale needed).
        "--encoding=UTF8", "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8",
        "--no-instructions", ...(opts.fastInit ? ["--no-sync"] : []),
      ],
      { ...asUser(opts.user), env: serverEnv(), encoding: "utf8" },
    );
    fs.rmSync(pwfile, { force: true });
    if (init.status !== 0) throw new Error(`initdb failed: ${(init.stderr || init.error?.message || "").trim()}`);
    const server = await startServer({ ...opts, pgdata: temp });
    try {
      await prepare(server);
    } finally {
      await server.stop();
    }
    try {
      fs.renameSync(temp, opts.pgdata);
    } catch (err) {
      // Another start created it first: use theirs.
      if (!fs.existsSync(path.join(opts.pgdata, "PG_VERSION"))) throw err;
    }
  } finally {
    fs.rmSync(pwfile, { force: true });
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

/** Starts the postmaster on an existing cluster and waits until it accepts connections. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await freePort());
    try {
      return await startOnce(opts, port);
    } catch (err) {
      // A free port can be taken between choosing it and binding it: choose again.
      if (err instanceof PortInUseError && !opts.port && attempt < 3) continue;
      throw err;
    }
  }
}

class PortInUseError extends Error {}

async function startOnce(opts: ServerOptions, port: number): Promise<RunningServer> {
  const logFd = fs.openSync(opts.logFile, "a", 0o600);
  const logStart = fs.fstatSync(logFd).size;
  const settings: Record<string, string> = {
    // Loopback only: nothing outside this machine can reach it.
    listen_addresses: "127.0.0.1",
    port: String(port),
    // No Unix socket: nothing to create in /run or /tmp, and nothing to share with a system PostgreSQL.
    unix_socket_directories: "",
    ...opts.settings,
  };
  const args = ["-D", opts.pgdata, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
  let child: ChildProcess;
  try {
    child = spawn("/bin/sh", ["-c", WATCHDOG, WATCHDOG_NAME, opts.binaries.postgres, ...args], {
      ...asUser(opts.user),
      env: serverEnv(),
      // Its own process group: a Ctrl-C in the terminal reaches this process, which stops the app before the database.
      detached: true,
      stdio: ["pipe", logFd, logFd],
    });
  } finally {
    fs.closeSync(logFd);
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const url = (database: string) => `postgresql://${SUPERUSER}:${encodeURIComponent(opts.password)}@127.0.0.1:${port}/${database}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (hasExited) throw startFailure(opts, logStart, port);
    if (await canConnect(url("postgres"))) break;
    if (Date.now() > deadline) {
      child.stdin?.end();
      throw new Error(`The embedded PostgreSQL did not accept connections within 60 s; see ${opts.logFile}.`);
    }
    await sleep(50);
  }
  const pid = readPostmasterPid(opts.pgdata) ?? -1;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (hasExited) return;
      child.stdin?.end();
      if (await within(exited, 30_000)) return;
      // A fast shutdown that hangs: an immediate one (recovery replays the WAL at the next start; nothing committed is lost).
      signal(pid, "SIGQUIT");
      await within(exited, 10_000);
    })());
  return { port, pid, url, stop, exited };
}

function startFailure(opts: ServerOptions, logStart: number, port: number): Error {
  const log = readFrom(opts.logFile, logStart);
  if (/could not bind|Address already in use/i.test(log)) return new PortInUseError(`Port ${port} on 127.0.0.1 is already in use: the embedded database needs a free port (set BOTDESK_EMBEDDED_DB_PORT to another one, or 0 for any).`);
  const lock = /lock file "postmaster.pid" already exists[\s\S]*?PID (\d+)/.exec(log);
  if (lock) return new DataDirInUseError(opts.pgdata, Number(lock[1]));
  const fatal = log.split("\n").filter((l) => /FATAL|PANIC|ERROR|error/.test(l)).slice(-3).join("\n") || log.trim().split("\n").slice(-5).join("\n");
  return new Error(`The embedded PostgreSQL did not start:\n${fatal}\n(full log: ${opts.logFile})`);
}

/**
 * Before starting on `pgdata`: refuses when another running Botdesk serves it,
 * and stops a server that a killed Botdesk left behind (its watchdog gone).
 * Returns the pid it stopped, if any.
 */
export async function clearStaleServer(pgdata: string, dataDir: string): Promise<number | null> {
  const pid = readPostmasterPid(pgdata);
  if (pid === null || !isAlive(pid)) return null; // PostgreSQL removes a stale postmaster.pid itself
  const postmaster = processInfo(pid);
  if (!postmaster || !/postgres/.test(postmaster.command)) {
    // A pid from before a reboot, now used by something else: the lock file is stale.
    fs.rmSync(path.join(pgdata, "postmaster.pid"), { force: true });
    return null;
  }
  const watchdog = processInfo(postmaster.ppid);
  const owner = watchdog?.command.includes(WATCHDOG_NAME) ? processInfo(watchdog.ppid) : null;
  if (owner && watchdog!.ppid !== 1 && /node|tsx/.test(owner.command)) {
    throw new DataDirInUseError(dataDir, watchdog!.ppid);
  }
  // Left behind. Give a shutdown already under way a moment, then ask for a fast one.
  if (await waitGone(pid, 3_000)) return pid;
  signal(pid, "SIGINT");
  if (await waitGone(pid, 20_000)) return pid;
  signal(pid, "SIGQUIT");
  if (await waitGone(pid, 10_000)) return pid;
  throw new Error(`A PostgreSQL server (process ${pid}) still runs on ${pgdata} and does not stop. Stop it, then start Botdesk again.`);
}

function readPostmasterPid(pgdata: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(pgdata, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function processInfo(pid: number): { ppid: number; command: string } | null {
  if (fs.existsSync("/proc/self/stat")) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      // Field 4, after the command name in parentheses (which may itself hold spaces).
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      return { ppid, command };
    } catch {
      return null;
    }
  }
  const ps = spawnSync("ps", ["-o", "ppid=", "-o", "command=", "-p", String(pid)], { encoding: "utf8" });
  const m = /^\s*(\d+)\s+(.*)$/.exec(ps.stdout.trim());
  return m ? { ppid: Number(m[1]), command: m[2]! } : null;
}

/** Is process `pid` running (also when it belongs to another user)? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function readFrom(file: string, offset: number): string {
  try {
    const buf = fs.readFileSync(file);
    return buf.subarray(offset).toString("utf8");
  } catch {
    return "";
  }
}

async function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([p.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]);
  clearTimeout(timer);
  return done;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
