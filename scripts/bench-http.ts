/**
 * `npm run bench:http` (and the second half of `npm run bench`): the pages of a
 * production build over HTTP, as a browser asks for them, on the benchmark data
 * (scripts/bench-data.ts: 10,000 bots, 30,000 credentials, 1,000,000 events,
 * 30 days of usage for every bot).
 *
 * Starts Botdesk with the real start command on a throwaway database (or a new
 * database on TEST_DATABASE_URL's server), signs in through Auth.js like the
 * sign-in form, then for each page: latency at 1 client and at 10 concurrent
 * clients (keep-alive connections, like a browser), first-load JS (every script
 * the page's HTML loads, gzipped), memory of the whole process tree idle and
 * after the load, and the head-of-line case (a small page alone, and while
 * another client loops the slowest page). Same-run baselines: `/sign-in` (the
 * framework rendering a page with no data) and `/api/health` (a bare route
 * handler). Prints a Markdown table; writes bench/results/<date>-<db>-http.json.
 * Asserts nothing: goals are reported, never tested.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { startTestDatabase } from "../lib/db/test-database";
import { BENCH_PASSWORD, benchSizes } from "./bench-data";
import { buildBotdesk, describeTree, freePort, processTree, quantile, root, seedBenchWithApiKey, signInAsForm, startBotdesk, stopBotdesk, treeCpuSeconds, treeRssMiB, waitFor } from "./bench-support";

const QUICK = process.argv.includes("--quick");
const loadAtStart = os.loadavg().map((l) => Number(l.toFixed(2)));
const SEQUENTIAL = Number(process.env.BENCH_HTTP_REQUESTS ?? (QUICK ? 15 : 60));
const CONCURRENT = 10;

const database = await startTestDatabase();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "botdesk-bench-http-"));
let server: ChildProcess | undefined;

/** The resident memory of Next.js alone serving the build, idle after one /sign-in; null off Linux. */
async function bareNextStartMiB(env: NodeJS.ProcessEnv): Promise<number | null> {
  if (process.platform !== "linux") return null;
  const port = await freePort();
  const bare = spawn(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "start", "--port", String(port)], {
    env: { ...env, PORT: String(port), NODE_ENV: "production", AUTH_TRUST_HOST: "true", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "ignore",
    cwd: root,
    detached: true,
  });
  try {
    await waitFor(`http://localhost:${port}/sign-in`, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    console.log(`Bare next start, idle: ${describeTree(bare.pid!)}.`);
    return treeRssMiB(bare.pid!);
  } finally {
    try {
      process.kill(-bare.pid!, "SIGTERM");
    } catch {
      // already gone
    }
  }
}

try {
  const { bench, key } = await seedBenchWithApiKey(database.url, benchSizes(QUICK));

  const port = await freePort();
  // Its own SSH port: the default one may be taken by another Botdesk, and the tree measured must hold the SSH server.
  const sshPort = await freePort();
  const base = `http://localhost:${port}`;
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    PORT: String(port),
    BOTDESK_SSH_PORT: String(sshPort),
    BOTDESK_DATA_DIR: dataDir,
    AUTH_SECRET: "bench-auth-secret-0123456789abcdef0123456789",
    // One web worker unless the run asks for more (BOTDESK_WEB_WORKERS=2 compares workers).
    BOTDESK_WEB_WORKERS: process.env.BOTDESK_WEB_WORKERS ?? "1",
    BOTDESK_SIGNIN_MAX_PER_IP: "1000",
    // The benchmark measures the API, not its rate limits.
    BOTDESK_API_MAX_PER_KEY: "1000000",
    BOTDESK_API_MAX_PER_ACCOUNT: "1000000",
    // The server runs with the app's default bound, not the seeding's.
    DATABASE_STATEMENT_TIMEOUT_MS: "15000",
  };
  // Build first (when the sources changed), so the restart figure is a restart.
  await buildBotdesk(env);
  const started = performance.now();
  server = startBotdesk(env);
  await waitFor(`${base}/sign-in`, 120_000);
  const startToFirst200 = performance.now() - started;

  // Signed in as the sign-in form does.
  const session = await signInAsForm(base, bench.adminEmail, BENCH_PASSWORD);
  const cookie = () => session;

  let renames = 0;
  const busyBot = bench.busiestBotId;
  const quietBot = bench.botIds[1]!;
  type Target = { name: string; path: string; auth: "session" | "key" | "none"; kind: "page" | "api" | "baseline"; method?: "PATCH"; body?: () => string };
  const candidates: Target[] = [
    { name: "baseline: /sign-in (no data)", path: "/sign-in", auth: "none", kind: "baseline" },
    { name: "baseline: bare route handler", path: "/api/health", auth: "none", kind: "baseline" },
    { name: "Overview /", path: "/", auth: "session", kind: "page" },
    { name: "/users", path: "/users", auth: "session", kind: "page" },
    { name: "/users, by name, page 200", path: "/users?bsort=name&bdir=asc&bpage=200", auth: "session", kind: "page" },
    { name: "/users, filtered", path: "/users?bq=0042&bstatus=deactivated", auth: "session", kind: "page" },
    { name: "bot page, busy bot", path: `/users/bots/${busyBot}`, auth: "session", kind: "page" },
    { name: "bot page, quiet bot", path: `/users/bots/${quietBot}`, auth: "session", kind: "page" },
    { name: "/activity", path: "/activity", auth: "session", kind: "page" },
    { name: "/credentials", path: "/credentials", auth: "session", kind: "page" },
    { name: "/settings", path: "/settings", auth: "session", kind: "page" },
    // 10,000 principals with usage this month (bench-data.ts), the account over two quotas: meters, chart, 50 rows with their marks.
    { name: "/usage", path: "/usage", auth: "session", kind: "page" },
    { name: "/developers (the API page)", path: "/developers", auth: "session", kind: "page" },
    { name: "API: GET /api/v1/bot_users?limit=100", path: "/api/v1/bot_users?limit=100", auth: "key", kind: "api" },
    // An attributed write: a rename through the API, with its event, usage and rate-limit counters.
    { name: "API: PATCH /api/v1/bot_users/{id} (rename)", path: `/api/v1/bot_users/${quietBot}`, auth: "key", kind: "api", method: "PATCH", body: () => JSON.stringify({ name: `bench-renamed-${renames++}` }) },
  ];
  const headersFor = (t: Target): Record<string, string> =>
    t.auth === "session" ? { cookie: cookie() } : t.auth === "key" ? { authorization: `Bearer ${key.token}` } : {};
  const hit = async (t: Target): Promise<{ ms: number; status: number; body: string }> => {
    const s = performance.now();
    const r = await fetch(`${base}${t.path}`, {
      method: t.method ?? "GET",
      headers: { ...headersFor(t), ...(t.body ? { "content-type": "application/json" } : {}) },
      body: t.body?.(),
      redirect: "manual",
    });
    const body = await r.text();
    return { ms: performance.now() - s, status: r.status, body };
  };
  // Routes that do not exist yet (a later issue adds them) are left out, and said so.
  const targets: Target[] = [];
  for (const t of candidates) {
    const first = await hit(t);
    if (first.status === 200) targets.push(t);
    else console.log(`Skipped ${t.path}: ${first.status} (not there yet, or not reachable).`);
  }
  const idleMiB = server.pid ? treeRssMiB(server.pid) : null;
  if (server.pid) console.log(`Idle: ${describeTree(server.pid)}.`);
  // Where the CPU goes at 10 clients: the web server's processes, and (on the throwaway
  // embedded cluster, a child of this process) the database's. On a shared server the
  // database's share is not ours to measure.
  const databaseCpu = () => (database.kind === "embedded" ? processTree(process.pid).filter((p) => p.name === "postgres").reduce((sum, p) => sum + p.cpuSeconds, 0) : null);
  const cpuAt10 = { wall: 0, server: 0, database: 0 as number | null };

  // `atLeast`: the goal is a floor (a ratio that must reach it), not a ceiling.
  const figures: { name: string; value: number; p95?: number; unit: string; baseline: string | null; ratio: number | null; goal: number | null; met: boolean | null; atLeast?: boolean }[] = [];
  const signInTarget = targets.find((t) => t.path === "/sign-in")!;
  const results = new Map<string, { p50: number; p95: number; p50x10: number; p95x10: number; rps10: number; signInRps10: number | null; signInP50: number | null }>();
  /** CONCURRENT clients asking `t` in loops: each request's time, and the wall time. */
  const atTen = async (t: Target): Promise<{ ten: number[]; wall: number }> => {
    const ten: number[] = [];
    const s = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        for (let i = 0; i < Math.max(3, Math.round(SEQUENTIAL / 3)); i++) {
          const r = await hit(t);
          if (r.status !== 200) throw new Error(`${t.path} answered ${r.status} under load`);
          ten.push(r.ms);
        }
      }),
    );
    return { ten, wall: (performance.now() - s) / 1000 };
  };
  for (const t of targets) {
    for (let i = 0; i < 3; i++) await hit(t); // warm
    const one: number[] = [];
    // A page's p50 at 1 client is compared with /sign-in's asked in the same rounds (each round one of each).
    const signInOne: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      if (t.kind === "page") signInOne.push((await hit(signInTarget)).ms);
      one.push((await hit(t)).ms);
    }
    // A page's throughput at 10 clients is compared with /sign-in's asked just before it, not with the one
    // measured first: the machine drifts between the first case and the last (a shared machine, JIT, caches).
    const beside = t.kind === "page" ? await atTen(signInTarget) : null;
    const cpuBefore = { server: treeCpuSeconds(server.pid!), database: databaseCpu() };
    const { ten, wall } = await atTen(t);
    const rps10 = Number((ten.length / wall).toFixed(1));
    const signInRps10 = beside ? Number((beside.ten.length / beside.wall).toFixed(1)) : null;
    const serverCpu = treeCpuSeconds(server.pid!) - cpuBefore.server;
    const dbNow = databaseCpu();
    const dbCpu = dbNow === null || cpuBefore.database === null ? null : dbNow - cpuBefore.database;
    cpuAt10.wall += wall;
    cpuAt10.server += serverCpu;
    cpuAt10.database = cpuAt10.database === null || dbCpu === null ? null : cpuAt10.database + dbCpu;
    results.set(t.name, { p50: quantile(one, 0.5), p95: quantile(one, 0.95), p50x10: quantile(ten, 0.5), p95x10: quantile(ten, 0.95), rps10, signInRps10, signInP50: signInOne.length > 0 ? quantile(signInOne, 0.5) : null });
    console.log(`${t.name.padEnd(42)} 1 client p50 ${quantile(one, 0.5)} ms${signInOne.length > 0 ? ` (/sign-in in the same rounds ${quantile(signInOne, 0.5)} ms)` : ""} p95 ${quantile(one, 0.95)} ms · 10 clients p50 ${quantile(ten, 0.5)} ms p95 ${quantile(ten, 0.95)} ms (${rps10} req/s${signInRps10 === null ? "" : `; /sign-in just before: ${signInRps10} req/s`}; CPU: web server ${Math.round((100 * serverCpu) / wall)} %${dbCpu === null ? "" : `, database ${Math.round((100 * dbCpu) / wall)} %`} of one core)`);
  }
  const signIn = results.get(signInTarget.name)!;
  const signIn50 = signIn.p50;
  for (const t of targets) {
    const r = results.get(t.name)!;
    const isPage = t.kind === "page";
    figures.push({ name: `${t.name}: p95, 1 client`, value: r.p95, unit: "ms", baseline: null, ratio: null, goal: isPage ? 150 : null, met: isPage ? r.p95 <= 150 : null });
    figures.push({ name: `${t.name}: p95, 10 clients`, value: r.p95x10, unit: "ms", baseline: null, ratio: null, goal: isPage ? 150 : null, met: isPage ? r.p95x10 <= 150 : null });
    if (isPage) {
      // Issue 20's goals: every page's p50 at 1 client within 3 × /sign-in's (/usage with 10,000 principals with usage
      // included); at 10 clients, its throughput at least 0.35 × /sign-in's and its p95 within 3 × its own p50.
      const signInP50 = r.signInP50 ?? signIn50;
      const ratio = Number((r.p50 / signInP50).toFixed(2));
      figures.push({ name: `${t.name}: p50 vs /sign-in's in the same rounds`, value: r.p50, unit: "ms", baseline: `${signInTarget.name} (${signInP50} ms)`, ratio, goal: 3, met: ratio <= 3 });
      const signInRps10 = r.signInRps10 ?? signIn.rps10;
      const throughput = Number((r.rps10 / signInRps10).toFixed(2));
      figures.push({ name: `${t.name}: requests/s at 10 clients vs /sign-in's just before`, value: r.rps10, unit: "req/s", baseline: `${signInTarget.name} (${signInRps10} req/s)`, ratio: throughput, goal: 0.35, met: throughput >= 0.35, atLeast: true });
      const spread = Number((r.p95x10 / r.p50x10).toFixed(2));
      figures.push({ name: `${t.name}: p95 vs p50 at 10 clients`, value: r.p95x10, unit: "ms", baseline: `its p50 at 10 clients (${r.p50x10} ms)`, ratio: spread, goal: 3, met: spread <= 3 });
    }
  }

  // The HTML each page sends (no page may grow with the account): /usage's goal is under 500 kB with 10,000 principals with usage.
  for (const t of targets.filter((t) => t.kind === "page")) {
    const { body } = await hit(t);
    const kB = Number((Buffer.byteLength(body) / 1000).toFixed(1));
    const goal = t.path === "/usage" ? 500 : null;
    figures.push({ name: `${t.name}: HTML`, value: kB, unit: "kB", baseline: null, ratio: null, goal, met: goal === null ? null : kB < goal });
    // Of which React's payload (the inline `self.__next_f.push(…)` scripts): what the page serializes for the browser.
    const payload = [...body.matchAll(/<script[^>]*>(self\.__next_f\.push\([\s\S]*?)<\/script>/g)].reduce((n, m) => n + Buffer.byteLength(m[1]!), 0);
    const payloadKB = Number((payload / 1000).toFixed(1));
    figures.push({ name: `${t.name}: React payload in the HTML`, value: payloadKB, unit: "kB", baseline: null, ratio: null, goal: null, met: null });
    console.log(`${t.name.padEnd(42)} HTML ${kB} kB, of which React's payload ${payloadKB} kB`);
  }

  // First-load JS: every script the page's HTML loads, gzipped, as a browser fetches it.
  const gz = new Map<string, number>();
  for (const t of targets.filter((t) => t.kind !== "api" && t.path !== "/api/health")) {
    const { body } = await hit(t);
    // Module-capable browsers skip `noModule` scripts (the legacy polyfills): not counted.
    const tags = [...body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]).filter((tag) => !/\bnomodule\b/i.test(tag));
    const srcs = [...new Set(tags.map((tag) => /\ssrc="([^"]+)"/.exec(tag)?.[1]).filter((src): src is string => Boolean(src)))];
    let bytes = 0;
    for (const src of srcs) {
      if (!gz.has(src)) {
        const js = Buffer.from(await (await fetch(new URL(src, base))).arrayBuffer());
        gz.set(src, gzipSync(js).length);
      }
      bytes += gz.get(src)!;
    }
    const kB = Number((bytes / 1000).toFixed(1));
    figures.push({ name: `${t.name}: first-load JS (gzip)`, value: kB, unit: "kB", baseline: null, ratio: null, goal: t.kind === "page" ? 160 : null, met: t.kind === "page" ? kB <= 160 : null });
    console.log(`${t.name.padEnd(42)} first-load JS ${kB} kB gzip (${srcs.length} scripts)`);
  }

  // Head-of-line: a small page alone, then while another client loops the slowest page.
  const pages = targets.filter((t) => t.kind === "page");
  const slowest = pages.reduce((a, b) => (results.get(a.name)!.p50 >= results.get(b.name)!.p50 ? a : b));
  const small = targets.find((t) => t.path === "/settings") ?? signInTarget;
  const alone = results.get(small.name)!.p50;
  let looping = true;
  const loop = (async () => {
    while (looping) await hit(slowest);
  })();
  const beside: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) beside.push((await hit(small)).ms);
  looping = false;
  await loop;
  const hol = quantile(beside, 0.5);
  figures.push({ name: `head-of-line: ${small.path} while ${slowest.path} loops (p50)`, value: hol, unit: "ms", baseline: `${small.name} alone`, ratio: Number((hol / alone).toFixed(2)), goal: 2, met: hol / alone <= 2 });

  const loadedMiB = server.pid ? treeRssMiB(server.pid) : null;
  if (server.pid) console.log(`After the load: ${describeTree(server.pid)}.`);
  // Per web worker (the `next-server` processes; the launcher is apart): issue 20's memory goal.
  const webWorkers = processTree(server.pid!).filter((p) => p.name === "next-server");
  const perWorkerMiB = webWorkers.length > 0 ? Math.round(webWorkers.reduce((sum, p) => sum + p.rssKiB, 0) / 1024 / webWorkers.length) : null;

  // Issue 20's "Done when": the web server killed with SIGKILL while clients load it, the service answers again
  // within seconds (the launcher restarts it; the database and the sessions stay). Three clients loop a small page
  // throughout; the figure is from the kill to the first 200 of a request sent after the killed process was gone.
  if (webWorkers.length > 0) {
    const victim = webWorkers[0]!.pid;
    const isAlive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    let looping = true;
    let failed = 0;
    let killedAt = 0;
    let goneAt = 0;
    let backAt = 0;
    const clients = Promise.all(
      Array.from({ length: 3 }, async () => {
        while (looping) {
          const sent = performance.now();
          const ok = await hit(small).then(
            (r) => r.status === 200,
            () => false,
          );
          if (!ok) {
            failed++;
            await new Promise((r) => setTimeout(r, 50));
          } else if (goneAt && sent > goneAt && !backAt) {
            backAt = performance.now();
          }
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 1000));
    killedAt = performance.now();
    process.kill(victim, "SIGKILL");
    while (isAlive(victim) && performance.now() - killedAt < 5_000) await new Promise((r) => setTimeout(r, 5));
    goneAt = performance.now();
    while (!backAt && performance.now() - killedAt < 60_000) await new Promise((r) => setTimeout(r, 50));
    looping = false;
    await clients;
    const back = backAt ? Math.round(backAt - killedAt) : null;
    // Signed in before the kill, still signed in after it (the session is the database's and AUTH_SECRET's, not the process's).
    const signedIn = (await hit(slowest)).status === 200;
    console.log(`Killed the web server (pid ${victim}) under load: answering again after ${back ?? "more than 60,000"} ms (${failed} requests failed meanwhile); the session ${signedIn ? "still works" : "was lost"}.`);
    figures.push({ name: "web server killed with SIGKILL under load: to the first 200 again", value: back ?? 60_000, unit: "ms", baseline: null, ratio: null, goal: 10_000, met: back !== null && back <= 10_000 && signedIn });
    figures.push({ name: "requests that failed while the web server was down (3 clients looping)", value: failed, unit: "requests", baseline: null, ratio: null, goal: null, met: null });
  }

  figures.push({ name: "CPU at 10 clients, all cases: the web server's processes", value: Math.round((100 * cpuAt10.server) / cpuAt10.wall), unit: "% of one core", baseline: null, ratio: null, goal: null, met: null });
  if (cpuAt10.database !== null) figures.push({ name: "CPU at 10 clients, all cases: the database's processes", value: Math.round((100 * cpuAt10.database) / cpuAt10.wall), unit: "% of one core", baseline: null, ratio: null, goal: null, met: null });
  if (idleMiB !== null) figures.push({ name: "memory of the process tree, idle (after one request per page)", value: idleMiB, unit: "MiB", baseline: null, ratio: null, goal: null, met: null });
  if (loadedMiB !== null) figures.push({ name: "memory of the process tree, after the load", value: loadedMiB, unit: "MiB", baseline: null, ratio: null, goal: null, met: null });
  // The framework's own footprint in the same run: Next.js serving this build with
  // nothing around it (no launcher, no SSH server), after one request to /sign-in.
  const bareMiB = await bareNextStartMiB(env);
  if (bareMiB !== null) {
    figures.push({ name: "baseline: bare `next start` of this build, idle (one /sign-in)", value: bareMiB, unit: "MiB", baseline: null, ratio: null, goal: null, met: null });
    for (const [name, value] of [["idle", idleMiB], ["after the load", loadedMiB]] as const) {
      if (value === null) continue;
      const ratio = Number((value / bareMiB).toFixed(2));
      figures.push({ name: `memory of the process tree, ${name}, vs bare \`next start\``, value, unit: "MiB", baseline: "bare `next start`", ratio, goal: null, met: null });
    }
    if (perWorkerMiB !== null) {
      const ratio = Number((perWorkerMiB / bareMiB).toFixed(2));
      figures.push({ name: `memory per web worker after the load (${webWorkers.length} worker${webWorkers.length === 1 ? "" : "s"}) vs bare \`next start\``, value: perWorkerMiB, unit: "MiB", baseline: "bare `next start`", ratio, goal: 2.5, met: ratio <= 2.5 });
    }
  }
  figures.push({ name: "start to first 200 (built, migrated, seeded database)", value: Math.round(startToFirst200), unit: "ms", baseline: null, ratio: null, goal: 2000, met: startToFirst200 <= 2000 });

  console.log(`\n| figure | value | baseline | ratio | goal | met |\n|---|---|---|---|---|---|`);
  for (const f of figures) {
    const goal = f.goal === null ? "–" : f.ratio !== null ? `${f.atLeast ? "≥" : "≤"} ${f.goal} ×` : `≤ ${f.goal} ${f.unit}`;
    console.log(`| ${f.name} | ${f.value} ${f.unit} | ${f.baseline ?? "–"} | ${f.ratio === null ? "–" : `${f.ratio} ×`} | ${goal} | ${f.met === null ? "–" : f.met ? "yes" : "no"} |`);
  }
  const dbName = database.kind === "server" ? "postgresql" : "embedded-postgresql";
  const file = path.join(root, "bench", "results", `${new Date().toISOString().slice(0, 10)}-${dbName}-http${QUICK ? "-quick" : ""}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  // The machine's load average (1, 5, 15 min) when the run began and ended: 2 cores shared with other work skew every figure.
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "", memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}`, loadAverage: { start: loadAtStart, end: os.loadavg().map((l) => Number(l.toFixed(2))) } };
  const sizes = benchSizes(QUICK);
  writeFileSync(file, `${JSON.stringify({ db: dbName, machine, data: { ...sizes, requestsPerCase: SEQUENTIAL, concurrency: CONCURRENT }, figures }, null, 2)}\n`);
  console.log(`\nWrote ${path.relative(root, file)}.`);
} finally {
  await stopBotdesk(server);
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
