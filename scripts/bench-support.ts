/**
 * What the benchmarks that start a server share (scripts/bench-http.ts,
 * bench-tunnels.ts, bench-streams.ts): the process tree's memory and CPU from
 * /proc, free ports, waiting for a URL, quantiles, the machine's description
 * and the result file.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

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
