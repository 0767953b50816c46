/**
 * What the benchmarks that start a server share (scripts/bench-http.ts,
 * bench-api.ts, bench-pages.ts, bench-workers.ts, bench-tunnels.ts,
 * bench-streams.ts, bench-profile.ts): building and starting Botdesk with the
 * real start command and stopping it, signing in, the process tree's memory and
 * CPU from /proc, free ports, waiting for a URL, quantiles, the machine's
 * description and the result file, and V8's CPU profiler through a server's
 * inspector.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { BENCH_PASSWORD, benchSizes, seedBenchAccount, type BenchAccount, type BenchSizes } from "./bench-data";

export const root = path.resolve(import.meta.dirname, "..");

export interface ProcessSample {
  pid: number;
  /** What it runs, shortened: "next-server", "scripts/start.mjs", "postgres", … */
  name: string;
  rssKiB: number;
  /** User + system CPU time so far, seconds, with that of its children that have exited (PostgreSQL's backends come and go). */
  cpuSeconds: number;
}

/** A process and all its descendants, from /proc (Linux; empty elsewhere). */
export function processTree(pid: number): ProcessSample[] {
  if (process.platform !== "linux") return [];
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const ticks = 100; // USER_HZ on Linux
  const samples: ProcessSample[] = [];
  const walk = (p: number) => {
    try {
      const status = readFileSync(`/proc/${p}/status`, "utf8");
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const args = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").filter(Boolean);
      // "next-server (v16…" → "next-server"
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).replace(/ \(.*$/, "");
      const script = args.find((a) => /\.(ts|js|cjs|mjs)$/.test(a) || /\/next$/.test(a));
      samples.push({
        pid: p,
        name: comm === "node" && script ? path.relative(root, script) : comm,
        rssKiB: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0),
        cpuSeconds: (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / ticks,
      });
    } catch {
      return;
    }
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return samples;
}

export const treeRssMiB = (pid: number): number | null => (process.platform === "linux" ? Math.round(processTree(pid).reduce((sum, p) => sum + p.rssKiB, 0) / 1024) : null);
export const treeCpuSeconds = (pid: number): number => processTree(pid).reduce((sum, p) => sum + p.cpuSeconds, 0);
/** Each process of the tree with its resident memory, for the log: where the memory is. */
export const describeTree = (pid: number): string =>
  processTree(pid)
    .map((p) => `${p.name} ${Math.round(p.rssKiB / 1024)} MiB`)
    .join(", ");

let nextPort = Number(process.env.BENCH_PORTS_FROM || 0);

/**
 * A port for a server the benchmark starts: the next one from BENCH_PORTS_FROM
 * when set (a block of one's own on a shared machine), else one the system
 * finds free.
 */
export async function freePort(): Promise<number> {
  if (nextPort) return nextPort++;
  const net = await import("node:net");
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(url: string, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    try {
      if ((await fetch(url)).ok) return performance.now() - start;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

export const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1));
};

export interface Figure {
  name: string;
  value: number;
  p95?: number;
  unit: string;
  baseline: string | null;
  ratio: number | null;
  goal: number | null;
  met: boolean | null;
}

export const loadAverage = () => os.loadavg().map((l) => Number(l.toFixed(2)));

/** The machine, with its load average (1, 5, 15 min) when the run began and ended: 2 cores shared with other work skew every figure. */
export const machineInfo = (loadAtStart: number[]) => ({
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? "",
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  loadAverage: { start: loadAtStart, end: loadAverage() },
});

/** Prints the figures as a Markdown table. */
export function printFigures(figures: Figure[]): void {
  console.log(`\n| figure | value | baseline | ratio | goal | met |\n|---|---|---|---|---|---|`);
  for (const f of figures) {
    const goal = f.goal === null ? "–" : f.ratio !== null ? `≤ ${f.goal} ×` : `≤ ${f.goal} ${f.unit}`;
    console.log(`| ${f.name} | ${f.value} ${f.unit}${f.p95 === undefined ? "" : ` (p95 ${f.p95})`} | ${f.baseline ?? "–"} | ${f.ratio === null ? "–" : `${f.ratio} ×`} | ${goal} | ${f.met === null ? "–" : f.met ? "yes" : "no"} |`);
  }
}

/** Writes bench/results/<date>-<what>[-quick].json; returns its path relative to the checkout. */
export function writeResult(what: string, quick: boolean, content: object): string {
  const file = path.join(root, "bench", "results", `${new Date().toISOString().slice(0, 10)}-${what}${quick ? "-quick" : ""}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
  return path.relative(root, file);
}

/**
 * Signs in as the sign-in form does (Auth.js's CSRF token, then the credentials callback) and
 * returns the Cookie header of the session; throws when no session cookie came back.
 */
export async function signInAsForm(base: string, login: string, password: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (r: Response) => {
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  keep(csrf);
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie(), origin: base },
    body: new URLSearchParams({ csrfToken, login, password, callbackUrl: `${base}/` }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.includes("session-token"))) throw new Error(`sign-in failed (${res.status})`);
  return cookie();
}

/** Builds the production build when the sources changed, as the real start command does (`scripts/start.mjs --build-only`). */
export async function buildBotdesk(env: NodeJS.ProcessEnv): Promise<void> {
  console.log("Building (when the sources changed)…");
  await new Promise<void>((resolve, reject) => {
    const b = spawn(process.execPath, [path.join(root, "scripts", "start.mjs"), "--build-only"], { env, stdio: "inherit", cwd: root });
    b.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`build exited with ${code}`))));
  });
}

/** Starts Botdesk with the real start command, in a process group of its own (stopBotdesk stops all of it); its output is not kept, its errors shown. */
export function startBotdesk(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [path.join(root, "scripts", "start.mjs")], { env, stdio: ["pipe", "ignore", "inherit"], cwd: root, detached: true });
}

/** Stops what startBotdesk started (its whole process group) with `signal`, and waits for it to exit, at most `waitMs`. */
export async function stopBotdesk(server: ChildProcess | undefined, signal: NodeJS.Signals = "SIGINT", waitMs = 15_000): Promise<void> {
  if (!server?.pid || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once("exit", r));
  try {
    process.kill(-server.pid, signal);
  } catch {
    return; // already gone
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, waitMs))]);
}

/**
 * Seeds the benchmark's account (bench-data.ts) into the database at `url` with a client of its own
 * (closed after), and an API key of its admin's; returns the account and the key's token. Seeding a
 * million events in one statement takes longer than the app's statement timeout: this process's is raised.
 */
export async function seedBenchWithApiKey(url: string, sizes: BenchSizes): Promise<{ bench: BenchAccount; key: { token: string } }> {
  process.env.DATABASE_URL = url;
  process.env.DATABASE_STATEMENT_TIMEOUT_MS = "600000";
  const { createPrismaClient } = await import("../lib/db/client");
  const client = createPrismaClient(url, 4);
  try {
    const bench = await seedBenchAccount(client, sizes);
    const { issueSecret } = await import("../lib/domain/credentials/token-format");
    const { newId } = await import("../lib/ids");
    const keyId = newId("apiKey");
    const key = issueSecret("api_key", keyId);
    await client.credential.create({ data: { id: keyId, accountId: bench.accountId, ownerId: bench.adminId, kind: "api_key", secretHash: key.hash, secretHint: key.hint } });
    // Fold the seed's roll-up deltas in, as a running instance does once a minute: the charts then read what they read in production.
    await client.$queryRawUnsafe("SELECT event_counts_daily_compact()");
    return { bench, key: { token: key.token } };
  } finally {
    await client.$disconnect();
  }
}

/**
 * The benchmark account seeded into `databaseUrl` (quick or full sizes), the production build started on
 * it with the real start command (one web worker, every listener on a free port, sign-in not rate
 * limited; `extra` adds or overrides settings, NODE_OPTIONS included), and its admin signed in as the
 * form does. The caller stops `server` (stopBotdesk) and owns `dataDir`.
 */
export async function startSeededBotdesk(
  databaseUrl: string,
  dataDir: string,
  quick: boolean,
  extra: Record<string, string> = {},
): Promise<{ base: string; cookie: string; server: ChildProcess; bench: BenchAccount }> {
  const { bench } = await seedBenchWithApiKey(databaseUrl, benchSizes(quick));
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    BOTDESK_SSH_PORT: String(await freePort()),
    BOTDESK_AGENT_PORT: String(await freePort()),
    BOTDESK_INGRESS_PORT: String(await freePort()),
    BOTDESK_TCP_PORTS: "off",
    BOTDESK_DATA_DIR: dataDir,
    AUTH_SECRET: "bench-auth-secret-0123456789abcdef0123456789",
    BOTDESK_WEB_WORKERS: "1",
    BOTDESK_SIGNIN_MAX_PER_IP: "100000",
    DATABASE_STATEMENT_TIMEOUT_MS: "15000",
    ...extra,
  };
  await buildBotdesk(env);
  const server = startBotdesk(env);
  await waitFor(`${base}/sign-in`, 120_000);
  return { base, cookie: await signInAsForm(base, bench.adminEmail, BENCH_PASSWORD), server, bench };
}

/** Requests/s of `url` over `connections` keep-alive loops for `seconds`; every answer must be 200. */
export async function throughput(url: string, headers: Record<string, string>, seconds: number, connections = 10): Promise<number> {
  let done = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const r = await fetch(url, { headers });
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
}

/** The self time of each function in `profile`, top `n`, as lines "percent  function file:line". */
export function hottest(profile: CpuProfile, n = 20): string[] {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const self = new Map<string, number>();
  for (const sample of profile.samples) {
    const f = frames.get(sample)!;
    const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : "";
    const key = `${f.functionName || "(anonymous)"} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, count]) => `${((100 * count) / Math.max(profile.samples.length, 1)).toFixed(1).padStart(5)} %  ${key}`);
}

/**
 * Profiles the main thread of process `pid` through its inspector (opened by
 * SIGUSR1 on the --inspect-port it was given) while `work` runs; null when
 * this Node has no WebSocket (Node 20: run with --experimental-websocket).
 */
export async function profiled<T>(pid: number, inspectPort: number, work: () => Promise<T>): Promise<{ result: T; profile: CpuProfile | null }> {
  const WS = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket;
  if (!WS) {
    console.log("No WebSocket in this Node (Node 20: NODE_OPTIONS=--experimental-websocket): not profiled.");
    return { result: await work(), profile: null };
  }
  process.kill(pid, "SIGUSR1");
  let target: string | undefined;
  for (let i = 0; i < 50 && !target; i++) {
    try {
      target = ((await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl: string }[])[0]?.webSocketDebuggerUrl;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!target) {
    // Seen once at the HTTP load ("address already in use"): the run goes on, unprofiled there.
    console.log(`No inspector on port ${inspectPort}: not profiled.`);
    return { result: await work(), profile: null };
  }
  const ws = new WS(target);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const pending = new Map<number, (result: unknown) => void>();
  let id = 0;
  ws.onmessage = (m: MessageEvent) => {
    const message = JSON.parse(String(m.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  };
  const call = <R>(method: string, params: object = {}) =>
    new Promise<R>((resolve) => {
      pending.set(++id, resolve as (result: unknown) => void);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 500 });
  await call("Profiler.start");
  const result = await work();
  const { profile } = await call<{ profile: CpuProfile }>("Profiler.stop");
  ws.close();
  return { result, profile };
}
