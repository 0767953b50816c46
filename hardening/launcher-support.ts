import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";

/**
 * `npm start` as a user runs it (npm's own process, its `sh -c`, the launcher,
 * the web server, the embedded PostgreSQL), the launcher alone as the fault tests
 * on the machine's PostgreSQL start it, and what the tests look at from outside:
 * the process tree, the listening sockets, the console.
 */

export interface Started {
  /** npm's own process (`npm start`), leader of the process group a terminal would signal. */
  npm: ChildProcess;
  output: () => string;
  /** npm has exited and nothing holds its output any more (the launcher and the web server write to it). */
  exited: Promise<void>;
  /** Resolves once the console has printed `text` (rejects if npm exits first or after `ms`). */
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
}

export function startNpm(repo: string, env: Record<string, string>): Started {
  const npm = spawn("npm", ["start"], {
    cwd: repo,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // Unset (empty) unless the test says: the defaults are what is tested. One web worker (the process tree these tests read), unless the test says.
    env: { ...process.env, DATABASE_URL: "", BOTDESK_HOST: "", BOTDESK_DEMO: "", BOTDESK_ADMIN_PASSWORD: "", NEXT_TELEMETRY_DISABLED: "1", BOTDESK_WEB_WORKERS: "1", ...env },
  });
  let out = "";
  npm.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  npm.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => npm.once("close", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  return {
    npm,
    output: () => out,
    exited,
    async waitFor(text, ms = 180_000) {
      const deadline = Date.now() + ms;
      const seen = () => (typeof text === "string" ? out.includes(text) : text.test(out));
      while (!seen()) {
        if (gone) throw new Error(`npm start exited before printing ${String(text)}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`npm start did not print ${String(text)} within ${ms} ms:\n${out}`);
        await sleep(100);
      }
    },
  };
}

/** Stops what a test started and left running: its whole process group. */
export function killGroup(started: Started | undefined, signal: NodeJS.Signals = "SIGKILL"): void {
  if (!started) return;
  try {
    process.kill(-started.npm.pid!, signal);
  } catch {
    // gone
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * scripts/start.mjs (what `npm start` runs) started directly with Node, as the fault tests
 * on the machine's PostgreSQL start an instance: in a process group of its own, so the
 * launcher and its web servers are stopped together.
 */
export interface Launcher {
  /** The launcher, leader of its process group. */
  proc: ChildProcess;
  /** Everything it (and its web servers) printed so far, stdout and stderr. */
  output: () => string;
  /** Resolves with its exit code (null when a signal ended it) once it has exited. */
  exited: Promise<number | null>;
  /** Resolves once `check` holds (asked every 200 ms); rejects with the output so far if the launcher exits first, or after `ms`. */
  waitUntil(check: (output: string) => boolean | Promise<boolean>, ms: number, what: string): Promise<void>;
  /** Unless it has exited: `signal` to its process group, SIGKILL to the group once it exits or after `killAfterMs`, then waits for its exit. */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<void>;
}

export interface LaunchOptions {
  /** A shell command run first, e.g. `ulimit -n 1024` (the launcher then replaces the shell: still the group's leader). */
  before?: string;
  /** Stop the process group if the test runner dies, even by SIGKILL (see `guard`). */
  guard?: boolean;
}

/** Starts the launcher in `repo` with the test's `env` on top of this process's (one web worker unless `env` says). */
export function startLauncher(repo: string, env: Record<string, string>, options: LaunchOptions = {}): Launcher {
  const [command, args] = options.before
    ? ["sh", ["-c", `${options.before} && exec "${process.execPath}" scripts/start.mjs`]]
    : [process.execPath, ["scripts/start.mjs"]];
  const proc = spawn(command, args, {
    cwd: repo,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // Test servers run one web worker (hardening/workers.test.ts tests several).
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", BOTDESK_WEB_WORKERS: "1", ...env },
  });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const gone = () => proc.exitCode !== null || proc.signalCode !== null;
  if (options.guard) {
    const guardian = guard(proc.pid!);
    // Once the launcher is gone, so is its guardian (it must never signal a reused process group id).
    void exited.then(() => guardian.kill());
  }
  const signalGroup = (signal: NodeJS.Signals): boolean => {
    try {
      process.kill(-proc.pid!, signal);
      return true;
    } catch {
      return false; // gone
    }
  };
  return {
    proc,
    output: () => out,
    exited,
    async waitUntil(check, ms, what) {
      const deadline = Date.now() + ms;
      while (!(await check(out))) {
        if (gone()) throw new Error(`the launcher exited before ${what}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms:\n${out}`);
        await sleep(200);
      }
    },
    async stop(signal = "SIGTERM", killAfterMs = 15_000) {
      if (gone() || !signalGroup(signal)) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, killAfterMs)))]);
      clearTimeout(timer);
      // Whatever of its group is left (a web server that outlived it, or the launcher itself past `killAfterMs`).
      signalGroup("SIGKILL");
      await exited;
    },
  };
}

/**
 * A small process holding a pipe from this one: when the test runner exits, even
 * by SIGKILL, the pipe closes and it stops the process group `pgid`, so no
 * instance outlives a killed run.
 */
function guard(pgid: number): ChildProcess {
  const guardian = spawn(
    process.execPath,
    ["-e", `process.stdin.on("end", () => { try { process.kill(-${pgid}, "SIGTERM"); } catch {} setTimeout(() => { try { process.kill(-${pgid}, "SIGKILL"); } catch {} process.exit(0); }, 10000).unref(); }); process.stdin.resume();`],
    { stdio: ["pipe", "ignore", "ignore"] },
  );
  guardian.unref();
  (guardian.stdin as unknown as { unref?: () => void }).unref?.();
  return guardian;
}

export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

function stat(pid: number): { state: string; ppid: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/** Running, and not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== "Z";
}

export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim();
  } catch {
    return "";
  }
}

export function childrenOf(pid: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((p) => stat(p)?.ppid === pid && isAlive(p));
}

/** npm → sh -c → launcher → web server: the launcher's and the web server's pids under npm's. */
export function treeOf(npmPid: number): { launcher: number; webServer: number | undefined } {
  const shell = childrenOf(npmPid).find((p) => commandOf(p).startsWith("sh -c"));
  const launcher = (shell ? childrenOf(shell) : childrenOf(npmPid)).find((p) => commandOf(p).includes("scripts/start.mjs"));
  if (!launcher) throw new Error(`no launcher under npm (${npmPid})`);
  return { launcher, webServer: childrenOf(launcher).find((p) => commandOf(p).startsWith("next-server")) };
}

export function postmasterPid(dataDir: string): number {
  return Number(fs.readFileSync(`${dataDir}/postgres/postmaster.pid`, "utf8").split("\n")[0]);
}

/** The local addresses listening on `port` (IPv4 and IPv6), from /proc/net: e.g. ["127.0.0.1"], ["::"]. */
export function listeningOn(port: number): string[] {
  const out: string[] = [];
  for (const [file, v6] of [["/proc/net/tcp", false], ["/proc/net/tcp6", true]] as const) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, "utf8").split("\n").slice(1)) {
      const [, local, , st] = line.trim().split(/\s+/);
      if (!local || st !== "0A") continue; // 0A: LISTEN
      const [hex, p] = local.split(":");
      if (parseInt(p!, 16) !== port) continue;
      out.push(v6 ? ipv6(hex!) : ipv4(hex!));
    }
  }
  return out;
}

const ipv4 = (hex: string) => [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".");
function ipv6(hex: string): string {
  if (/^0{32}$/.test(hex)) return "::";
  if (hex === "00000000000000000000000001000000") return "::1";
  return hex;
}

/** Signs in through Auth.js's credentials callback, as the sign-in form does; the session cookie, or null when refused. */
export async function signIn(base: string, login: string, password: string): Promise<string | null> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ csrfToken, login, password }),
  });
  const session = res.headers.getSetCookie().find((c) => c.includes("session-token") && !/session-token=;/.test(c));
  return session ? session.split(";")[0]! : null;
}
