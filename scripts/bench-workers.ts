/**
 * `npm run bench:workers`: one web worker against two (BOTDESK_WEB_WORKERS), in the same run, on
 * the same data: requests/s at 10 connections of `/activity` (signed in) and of
 * `GET /api/v1/bot_users/{id}` (an API key), and each worker's resident memory after that load.
 * Runs alternate (1, 2, 1, 2 … BENCH_WORKERS_PAIRS pairs) so a change of the machine's load
 * touches both; the database and this load generator share the cores with the workers.
 * Ports from BENCH_PORTS_FROM (default: any free one). Asserts nothing: prints what it measured.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startTestDatabase } from "../lib/db/test-database";
import { BENCH_PASSWORD, benchSizes } from "./bench-data";
import { buildBotdesk, freePort, loadAverage, processTree, root, seedBenchWithApiKey, signInAsForm, startBotdesk, stopBotdesk, throughput, treeCpuSeconds, waitFor } from "./bench-support";

process.env.BENCH_BOTS ??= "1000";
process.env.BENCH_CREDENTIALS ??= "2000";
process.env.BENCH_EVENTS ??= "50000";
process.env.BENCH_USAGE_DAYS ??= "3";
const PAIRS = Number(process.env.BENCH_WORKERS_PAIRS ?? 2);
const SECONDS = Number(process.env.BENCH_WORKERS_SECONDS ?? 8);
const CONNECTIONS = 10;
const portsFrom = process.env.BENCH_PORTS_FROM ? Number(process.env.BENCH_PORTS_FROM) : undefined;
let nextPort = portsFrom ?? 0;
const port = async () => (portsFrom === undefined ? freePort() : nextPort++);


interface Run {
  workers: number;
  activity: number;
  api: number;
  /** Each web server process's RSS after the load, MiB. */
  rssMiB: number[];
  /** CPU the launcher and its workers used during the two measured loads, in % of one core. */
  cpuPercent: number;
  /** Of which the launcher (the cluster's primary, handing out connections). */
  launcherCpuPercent: number;
  load: number[];
}

const launcherCpuSeconds = (pid: number) => processTree(pid).find((proc) => proc.pid === pid)?.cpuSeconds ?? 0;

/** RSS of a bare `next start` of this build (no launcher, no listeners) after the same load on `/sign-in`, MiB. */
async function bareNextStartMiB(env: NodeJS.ProcessEnv): Promise<number> {
  const p = await port();
  const bare = spawn(process.execPath, ["--max-old-space-size=384", path.join(root, "node_modules", "next", "dist", "bin", "next"), "start", "--port", String(p), "--hostname", "127.0.0.1"], {
    env: { ...env, PORT: String(p), NODE_ENV: "production", AUTH_TRUST_HOST: "true" },
    stdio: "ignore",
    cwd: root,
    detached: true,
  });
  try {
    await waitFor(`http://127.0.0.1:${p}/sign-in`, 120_000);
    const rate = await throughput(`http://127.0.0.1:${p}/sign-in`, {}, 3 + 2 * SECONDS, CONNECTIONS);
    const rss = Math.round(processTree(bare.pid!).reduce((sum, proc) => sum + proc.rssKiB, 0) / 1024);
    console.log(`bare next start: /sign-in ${rate.toFixed(0)} req/s for ${3 + 2 * SECONDS} s · RSS after load ${rss} MiB`);
    return rss;
  } finally {
    try {
      process.kill(-bare.pid!, "SIGTERM");
    } catch {
      // gone
    }
  }
}

const database = await startTestDatabase();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "botdesk-bench-workers-"));
let server: ChildProcess | undefined;

async function stopServer(): Promise<void> {
  const s = server;
  server = undefined;
  await stopBotdesk(s, "SIGTERM", 20_000);
}

try {
  const { bench, key } = await seedBenchWithApiKey(database.url, benchSizes(true));

  const runs: Run[] = [];
  for (let i = 0; i < PAIRS * 2; i++) {
    const workers = i % 2 === 0 ? 1 : 2;
    const p = await port();
    const base = `http://127.0.0.1:${p}`;
    const env = {
      ...process.env,
      DATABASE_URL: database.url,
      PORT: String(p),
      BOTDESK_HOST: "127.0.0.1",
      BOTDESK_DATA_DIR: dataDir,
      BOTDESK_WEB_WORKERS: String(workers),
      DATABASE_POOL_SIZE: "10",
      BOTDESK_SSH_PORT: "off",
      BOTDESK_AGENT_PORT: "off",
      BOTDESK_INGRESS_PORT: "off",
      BOTDESK_FORWARD_PORT: "off",
      BOTDESK_TCP_PORTS: "off",
      AUTH_SECRET: "bench-auth-secret-0123456789abcdef0123456789",
      BOTDESK_SIGNIN_MAX_PER_IP: "1000",
      BOTDESK_API_MAX_PER_KEY: "1000000",
      BOTDESK_API_MAX_PER_ACCOUNT: "1000000",
      DATABASE_STATEMENT_TIMEOUT_MS: "15000",
      NEXT_TELEMETRY_DISABLED: "1",
    };
    if (i === 0) {
      await buildBotdesk(env);
    }
    server = startBotdesk(env);
    await waitFor(`${base}/sign-in`, 180_000);
    // Every worker ready: each has answered /healthz (new connections go to each in turn).
    const seen = new Set<number | undefined>();
    while (seen.size < workers) {
      const r = await fetch(`${base}/healthz`, { headers: { connection: "close" } }).catch(() => null);
      if (r?.ok) seen.add(((await r.json()) as { worker?: number }).worker);
    }
    const cookie = await signInAsForm(base, bench.adminEmail, BENCH_PASSWORD);
    const activity = { url: `${base}/activity`, headers: { cookie } };
    const api = { url: `${base}/api/v1/bot_users/${bench.botIds[1]!}`, headers: { authorization: `Bearer ${key.token}` } };
    // Warm every worker (JIT, pools, prepared statements).
    await throughput(activity.url, activity.headers, 3, CONNECTIONS);
    await throughput(api.url, api.headers, 3, CONNECTIONS);
    const cpuBefore = treeCpuSeconds(server.pid!);
    const launcherBefore = launcherCpuSeconds(server.pid!);
    const measuring = performance.now();
    const run: Run = { workers, activity: await throughput(activity.url, activity.headers, SECONDS, CONNECTIONS), api: await throughput(api.url, api.headers, SECONDS, CONNECTIONS), rssMiB: [], cpuPercent: 0, launcherCpuPercent: 0, load: loadAverage() };
    const elapsed = (performance.now() - measuring) / 1000;
    run.cpuPercent = Math.round(((treeCpuSeconds(server.pid!) - cpuBefore) / elapsed) * 100);
    run.launcherCpuPercent = Math.round(((launcherCpuSeconds(server.pid!) - launcherBefore) / elapsed) * 100);
    run.rssMiB = processTree(server.pid!)
      .filter((proc) => proc.name.startsWith("next-server"))
      .map((proc) => Math.round(proc.rssKiB / 1024));
    runs.push(run);
    console.log(
      `${workers} worker${workers > 1 ? "s" : ""}: /activity ${run.activity.toFixed(1)} req/s · GET /api/v1/bot_users/{id} ${run.api.toFixed(0)} req/s · web server CPU ${run.cpuPercent} % of a core (launcher ${run.launcherCpuPercent} %) · RSS after load ${run.rssMiB.join(" + ")} MiB · load ${run.load.join(" ")}`,
    );
    await stopServer();
  }
  const bareMiB = await bareNextStartMiB({ ...process.env, DATABASE_URL: database.url, AUTH_SECRET: "bench-auth-secret-0123456789abcdef0123456789", NEXT_TELEMETRY_DISABLED: "1" });
  const perWorker = runs.filter((r) => r.workers === 2).flatMap((r) => r.rssMiB);
  console.log(`RSS per worker after load (2 workers): ${Math.min(...perWorker)}–${Math.max(...perWorker)} MiB = ${(Math.min(...perWorker) / bareMiB).toFixed(2)}–${(Math.max(...perWorker) / bareMiB).toFixed(2)} × bare next start`);
  for (let pair = 0; pair < PAIRS; pair++) {
    const [one, two] = [runs[pair * 2]!, runs[pair * 2 + 1]!];
    console.log(`pair ${pair + 1}: 2 workers / 1 worker: /activity ${(two.activity / one.activity).toFixed(2)} × · API ${(two.api / one.api).toFixed(2)} ×`);
  }
  console.log(`cores: ${os.availableParallelism()} · load average at end: ${loadAverage().join(" ")}`);
} finally {
  await stopServer();
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
