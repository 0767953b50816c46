/**
 * `npm run bench:tunnels` (and part of `npm run bench`, unless `--no-tunnels`):
 * ngrok's own agent (@ngrok/ngrok 1.7.0) through Botdesk (issue 19), against
 * the same client straight to the agent's local service in the same run.
 *
 * Starts a production build with the real start command on a throwaway
 * database (or a new one on TEST_DATABASE_URL's server), with an account, a
 * bot and its authtoken made by the domain functions. The agent and its local
 * HTTP service run in a process of their own (scripts/bench-tunnel-agent.ts).
 * Requests go to the ingress at 127.0.0.1:<ingress port> with the endpoint's
 * Host header (Node does not resolve *.localhost).
 * - HTTP, 10 concurrent keep-alive clients, a 64-byte answer: throughput and
 *   p95 through the tunnel vs straight to the local service (goals ≥ 0.3 × and
 *   ≤ 3 ×), in alternating rounds;
 * - a 100 MiB download through the tunnel vs straight (goal ≥ 0.3 ×), with the
 *   CPU of the server and of the agent's process during it;
 * - BENCH_IDLE_SESSIONS idle SDK sessions (1,000; no endpoints, the SDK's
 *   heartbeat): the server's extra memory (RSS of its process tree) and CPU
 *   over an idle window, against the same window with none; the agent
 *   process's own memory per session.
 * BENCH_CPU_PROFILE=1 profiles the web server through its inspector (Node 20:
 * with NODE_OPTIONS=--experimental-websocket, for the WebSocket client) and
 * prints where its main thread spent the first round of the tunnel's HTTP
 * load, the first 100 MiB transfer and the idle sessions' window (self time by
 * function);
 * such a run writes no result file. Writes bench/results/<date>-tunnels[-quick].json. Asserts nothing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { startTestDatabase } from "../lib/db/test-database";
import { buildBotdesk, describeTree, freePort, hottest, loadAverage, machineInfo, printFigures, processTree, profiled, quantile, root, startBotdesk, stopBotdesk, treeCpuSeconds, treeRssMiB, type CpuProfile, type Figure, waitFor, writeResult } from "./bench-support";

const QUICK = process.argv.includes("--quick");
const loadAtStart = loadAverage();
const CLIENTS = 10;
const ROUNDS = QUICK ? 2 : 4;
const PER_CLIENT = Number(process.env.BENCH_TUNNEL_REQUESTS ?? (QUICK ? 50 : 200));
const TRANSFER_MIB = 100;
const TRANSFERS = QUICK ? 1 : 3;
const IDLE_SESSIONS = Number(process.env.BENCH_IDLE_SESSIONS ?? 1_000);
const IDLE_WINDOW_S = QUICK ? 20 : 30;
const PROFILE = process.env.BENCH_CPU_PROFILE === "1";
const AUTH_SECRET = "bench-auth-secret-0123456789abcdef0123456789";

const database = await startTestDatabase();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-tunnels-"));
let server: ChildProcess | undefined;
const agents: ChildProcess[] = [];

/** Starts scripts/bench-tunnel-agent.ts and reads the JSON line it prints once ready. */
async function startAgent<T>(args: string[]): Promise<{ child: ChildProcess; ready: T }> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "bench-tunnel-agent.ts"), ...args], { stdio: ["pipe", "pipe", "inherit"], cwd: root });
  agents.push(child);
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<T>((resolve, reject) => {
    lines.once("line", (line) => resolve(JSON.parse(line) as T));
    child.once("exit", (code) => reject(new Error(`the agent process exited with ${code}`)));
  });
  return { child, ready };
}

async function stopAgent(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.stdin!.end();
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
}

/** GETs `target` and reads the whole answer; the time in ms and the bytes read. */
function get(agent: http.Agent, port: number, hostHeader: string, target: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path: target, headers: { host: hostHeader }, agent }, (response) => {
      let bytes = 0;
      response.on("data", (c: Buffer) => (bytes += c.length));
      response.on("end", () => (response.statusCode === 200 ? resolve({ ms: performance.now() - started, bytes }) : reject(new Error(`${target} answered ${response.statusCode}`))));
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}

/** CLIENTS keep-alive clients, each PER_CLIENT requests one after the other: the latencies and the wall time. */
async function load(port: number, hostHeader: string): Promise<{ latencies: number[]; seconds: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const latencies: number[] = [];
  for (let i = 0; i < CLIENTS; i++) await get(agent, port, hostHeader, "/small"); // warm the connections
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let i = 0; i < PER_CLIENT; i++) latencies.push((await get(agent, port, hostHeader, "/small")).ms);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { latencies, seconds };
}

try {
  process.env.DATABASE_URL = database.url;
  process.env.AUTH_SECRET = AUTH_SECRET;
  const { createTestAccount, createTestBot, actorOf } = await import("../lib/test-support/factories");
  const { createCredential } = await import("../lib/domain/credentials/create-credential");
  const { db } = await import("../lib/db/client");
  const { account, owner } = await createTestAccount();
  const bot = await createTestBot(account.id, "bench-agent");
  const created = await createCredential(actorOf(account, owner, "owner"), { kind: "authtoken", ownerId: bot.id, acl: [] }, { ip: null, userAgent: null });
  if (!created.ok) throw new Error(created.message);
  const authtoken = created.data.token!;
  await db().$disconnect();

  const port = await freePort();
  const agentPort = await freePort();
  const ingressPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    PORT: String(port),
    BOTDESK_SSH_PORT: String(await freePort()),
    BOTDESK_AGENT_PORT: String(agentPort),
    BOTDESK_INGRESS_PORT: String(ingressPort),
    BOTDESK_TCP_PORTS: "off",
    BOTDESK_DATA_DIR: dataDir,
    // The idle sessions share one authtoken: its cap (10 by default) raised for them.
    BOTDESK_AGENT_MAX_SESSIONS_PER_TOKEN: String(Math.max(10, IDLE_SESSIONS + 10)),
    // …and they all come from 127.0.0.1: the per-address cap (256 by default) raised too.
    BOTDESK_MAX_CONNECTIONS_PER_IP: String(Math.max(256, IDLE_SESSIONS + 50)),
    DATABASE_STATEMENT_TIMEOUT_MS: "15000",
    NEXT_TELEMETRY_DISABLED: "1",
    // One web worker unless the run asks for more (BOTDESK_WEB_WORKERS=2 compares workers).
    BOTDESK_WEB_WORKERS: process.env.BOTDESK_WEB_WORKERS ?? "1",
  };
  await buildBotdesk(env);
  // Profiling: the web server's inspector port, opened only when it is sent SIGUSR1 (during the transfer).
  const inspectPort = PROFILE ? await freePort() : 0;
  const serverEnv = PROFILE ? { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ""} --inspect-port=127.0.0.1:${inspectPort}`.trim() } : env;
  server = startBotdesk(serverEnv);
  await waitFor(`http://localhost:${port}/sign-in`, 120_000);
  const caFile = path.join(dataDir, "bench-agent-ca.pem");
  writeFileSync(caFile, await (await fetch(`http://localhost:${port}/agent-ca.pem`)).text());
  const serverAddr = `localhost:${agentPort}`;
  const figures: Figure[] = [];

  // HTTP through one tunnel vs straight to the local service.
  const serving = await startAgent<{ url: string; localPort: number }>(["serve", serverAddr, caFile, authtoken]);
  const tunnelHost = new URL(serving.ready.url).host;
  const directHost = `127.0.0.1:${serving.ready.localPort}`;
  console.log(`Agent online: ${serving.ready.url} → ${directHost}. Server: ${describeTree(server.pid!)}.`);
  const runs = { direct: { latencies: [] as number[], seconds: 0, requests: 0 }, tunnel: { latencies: [] as number[], seconds: 0, requests: 0 } };
  const httpCpu = { server: 0, agent: 0 };
  const profiles: { title: string; profile: CpuProfile }[] = [];
  const webServerPid = () => processTree(server!.pid!).find((p) => p.name === "next-server")?.pid;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["direct", "tunnel"] as const) : (["tunnel", "direct"] as const);
    for (const mode of order) {
      const before = { server: treeCpuSeconds(server.pid!), agent: treeCpuSeconds(serving.child.pid!) };
      const tunnelLoad = () => load(ingressPort, tunnelHost);
      const pid = PROFILE && round === 0 && mode === "tunnel" ? webServerPid() : undefined;
      // Profiled: the first round's tunnel load (its figures count with the profiler's cost in them).
      const profiledLoad = pid ? await profiled(pid, inspectPort, tunnelLoad) : undefined;
      if (profiledLoad?.profile) profiles.push({ title: `the first round of the tunnel's HTTP load (${CLIENTS} clients)`, profile: profiledLoad.profile });
      const r = mode === "direct" ? await load(serving.ready.localPort, directHost) : (profiledLoad?.result ?? (await tunnelLoad()));
      if (mode === "tunnel") {
        httpCpu.server += treeCpuSeconds(server.pid!) - before.server;
        httpCpu.agent += treeCpuSeconds(serving.child.pid!) - before.agent;
      }
      runs[mode].latencies.push(...r.latencies);
      runs[mode].seconds += r.seconds;
      runs[mode].requests += r.latencies.length;
    }
  }
  // One client, one request at a time: the tunnel's own latency, without queueing.
  const single = { direct: [] as number[], tunnel: [] as number[] };
  for (const mode of ["direct", "tunnel"] as const) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const [p, h] = mode === "direct" ? [serving.ready.localPort, directHost] : [ingressPort, tunnelHost];
    await get(agent, p, h, "/small");
    for (let i = 0; i < PER_CLIENT; i++) single[mode].push((await get(agent, p, h, "/small")).ms);
    agent.destroy();
  }
  console.log(`HTTP, 1 client: straight p50 ${quantile(single.direct, 0.5)} ms, tunnel p50 ${quantile(single.tunnel, 0.5)} ms (p95 ${quantile(single.direct, 0.95)} / ${quantile(single.tunnel, 0.95)} ms).`);
  const rps = (m: "direct" | "tunnel") => Number((runs[m].requests / runs[m].seconds).toFixed(1));
  for (const m of ["direct", "tunnel"] as const) console.log(`HTTP ${m}: ${rps(m)} req/s, p50 ${quantile(runs[m].latencies, 0.5)} ms, p95 ${quantile(runs[m].latencies, 0.95)} ms (${runs[m].requests} requests, ${CLIENTS} clients)`);
  const httpServerCpu = Math.round((100 * httpCpu.server) / runs.tunnel.seconds);
  const httpAgentCpu = Math.round((100 * httpCpu.agent) / runs.tunnel.seconds);
  console.log(`During the tunnel's HTTP load: web server ${httpServerCpu} %, agent process ${httpAgentCpu} % of one core.`);
  const throughputRatio = Number((rps("tunnel") / rps("direct")).toFixed(2));
  const p95Ratio = Number((quantile(runs.tunnel.latencies, 0.95) / quantile(runs.direct.latencies, 0.95)).toFixed(2));
  figures.push(
    { name: `baseline: HTTP straight to the local service, ${CLIENTS} clients: requests per second`, value: rps("direct"), p95: quantile(runs.direct.latencies, 0.95), unit: "req/s", baseline: null, ratio: null, goal: null, met: null },
    { name: `HTTP through one tunnel, ${CLIENTS} clients: requests per second`, value: rps("tunnel"), unit: "req/s", baseline: "straight to the local service", ratio: throughputRatio, goal: null, met: throughputRatio >= 0.3 },
    { name: `HTTP through one tunnel, ${CLIENTS} clients: p95 (goal: throughput ≥ 0.3 ×, p95 ≤ 3 ×)`, value: quantile(runs.tunnel.latencies, 0.95), unit: "ms", baseline: `straight: ${quantile(runs.direct.latencies, 0.95)} ms`, ratio: p95Ratio, goal: 3, met: p95Ratio <= 3 },
    { name: "HTTP through one tunnel, 1 client: p50", value: quantile(single.tunnel, 0.5), p95: quantile(single.tunnel, 0.95), unit: "ms", baseline: `straight: ${quantile(single.direct, 0.5)} ms (p95 ${quantile(single.direct, 0.95)})`, ratio: Number((quantile(single.tunnel, 0.5) / quantile(single.direct, 0.5)).toFixed(2)), goal: null, met: null },
    { name: `HTTP through one tunnel, ${CLIENTS} clients: the web server's CPU`, value: httpServerCpu, unit: "% of one core", baseline: null, ratio: null, goal: null, met: null },
    { name: `HTTP through one tunnel, ${CLIENTS} clients: the agent process's CPU (SDK and local service)`, value: httpAgentCpu, unit: "% of one core", baseline: null, ratio: null, goal: null, met: null },
  );

  // 100 MiB through the tunnel vs straight, alternating; the CPU of the server and the agent during the tunnel's.
  const bigAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const transfer = { direct: [] as number[], tunnel: [] as number[] };
  const cpu = { server: 0, agent: 0, wall: 0 };
  for (let i = 0; i < TRANSFERS; i++) {
    const d = await get(bigAgent, serving.ready.localPort, directHost, `/big?mib=${TRANSFER_MIB}`);
    transfer.direct.push((TRANSFER_MIB * 1000) / d.ms);
    const before = { server: treeCpuSeconds(server.pid!), agent: treeCpuSeconds(serving.child.pid!) };
    const download = () => get(bigAgent, ingressPort, tunnelHost, `/big?mib=${TRANSFER_MIB}`);
    const pid = webServerPid();
    const { result: t, profile } = PROFILE && i === 0 && pid ? await profiled(pid, inspectPort, download) : { result: await download(), profile: null };
    if (profile) profiles.push({ title: `the first ${TRANSFER_MIB} MiB transfer`, profile });
    if (t.bytes !== TRANSFER_MIB * 2 ** 20) throw new Error(`the tunnel carried ${t.bytes} bytes`);
    transfer.tunnel.push((TRANSFER_MIB * 1000) / t.ms);
    cpu.server += treeCpuSeconds(server.pid!) - before.server;
    cpu.agent += treeCpuSeconds(serving.child.pid!) - before.agent;
    cpu.wall += t.ms / 1000;
  }
  bigAgent.destroy();
  const median = (v: number[]) => quantile(v, 0.5);
  const transferRatio = Number((median(transfer.tunnel) / median(transfer.direct)).toFixed(2));
  const serverCpuPct = Math.round((100 * cpu.server) / cpu.wall);
  const agentCpuPct = Math.round((100 * cpu.agent) / cpu.wall);
  console.log(`${TRANSFER_MIB} MiB: straight ${median(transfer.direct)} MiB/s, tunnel ${median(transfer.tunnel)} MiB/s (${transferRatio} ×); during the tunnel's: web server ${serverCpuPct} %, agent process ${agentCpuPct} % of one core.`);
  figures.push(
    { name: `baseline: ${TRANSFER_MIB} MiB straight from the local service`, value: median(transfer.direct), unit: "MiB/s", baseline: null, ratio: null, goal: null, met: null },
    { name: `${TRANSFER_MIB} MiB through one tunnel (goal ≥ 0.3 ×)`, value: median(transfer.tunnel), unit: "MiB/s", baseline: "straight from the local service", ratio: transferRatio, goal: null, met: transferRatio >= 0.3 },
    { name: `${TRANSFER_MIB} MiB through one tunnel: the web server's CPU`, value: serverCpuPct, unit: "% of one core", baseline: null, ratio: null, goal: null, met: null },
    { name: `${TRANSFER_MIB} MiB through one tunnel: the agent process's CPU (SDK and local service)`, value: agentCpuPct, unit: "% of one core", baseline: null, ratio: null, goal: null, met: null },
  );
  await stopAgent(serving.child);

  // Idle sessions: the server's memory and CPU with none, then with IDLE_SESSIONS.
  await new Promise((r) => setTimeout(r, 3000));
  const idleBefore = { rss: treeRssMiB(server.pid!), cpu: treeCpuSeconds(server.pid!) };
  await new Promise((r) => setTimeout(r, IDLE_WINDOW_S * 1000));
  const baselineCpuPct = (100 * (treeCpuSeconds(server.pid!) - idleBefore.cpu)) / IDLE_WINDOW_S;
  const rssNone = treeRssMiB(server.pid!);
  console.log(`No sessions, ${IDLE_WINDOW_S} s: web server ${baselineCpuPct.toFixed(1)} % of one core; ${describeTree(server.pid!)}.`);
  // A tenth first, in an agent process of its own, then the rest in another: the per-session cost at two sizes.
  const first = Math.max(1, Math.round(IDLE_SESSIONS / 10));
  type IdleReady = { sessions: number; rssMiB: number; baseRssMiB: number };
  const connectCpu = treeCpuSeconds(server.pid!);
  const connectStart = performance.now();
  const idleFirst = await startAgent<IdleReady>(["idle", serverAddr, caFile, authtoken, String(first)]);
  await new Promise((r) => setTimeout(r, 5000));
  const rssFirst = treeRssMiB(server.pid!);
  const idleRest = await startAgent<IdleReady>(["idle", serverAddr, caFile, authtoken, String(IDLE_SESSIONS - first)]);
  const connectSeconds = (performance.now() - connectStart) / 1000 - 5;
  const connectCpuPct = Math.round((100 * (treeCpuSeconds(server.pid!) - connectCpu)) / (connectSeconds + 5));
  console.log(
    `${idleFirst.ready.sessions} + ${idleRest.ready.sessions} SDK sessions connected in ${connectSeconds.toFixed(1)} s (web server ${connectCpuPct} % of one core meanwhile); ` +
      `the agent processes: ${idleFirst.ready.baseRssMiB} → ${idleFirst.ready.rssMiB} MiB and ${idleRest.ready.baseRssMiB} → ${idleRest.ready.rssMiB} MiB; the server with ${first}: ${rssFirst} MiB.`,
  );
  await new Promise((r) => setTimeout(r, 5000));
  const withSessions = { cpu: treeCpuSeconds(server.pid!) };
  const idleWait = () => new Promise((r) => setTimeout(r, IDLE_WINDOW_S * 1000));
  const idlePid = webServerPid();
  if (PROFILE && idlePid) {
    const { profile } = await profiled(idlePid, inspectPort, idleWait);
    if (profile) profiles.push({ title: `${IDLE_SESSIONS} idle sessions (${IDLE_WINDOW_S} s)`, profile });
  } else await idleWait();
  const sessionsCpuPct = (100 * (treeCpuSeconds(server.pid!) - withSessions.cpu)) / IDLE_WINDOW_S;
  const rssWith = treeRssMiB(server.pid!);
  const [open] = await (async () => {
    const pg = (await import("pg")).default;
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const r = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM tunnel_sessions WHERE ended_at IS NULL");
    await client.end();
    return r.rows;
  })();
  console.log(`${IDLE_SESSIONS} idle sessions (${open?.n} open in the database), ${IDLE_WINDOW_S} s: web server ${sessionsCpuPct.toFixed(1)} % of one core; ${describeTree(server.pid!)}.`);
  const extraMiB = rssWith !== null && rssNone !== null ? rssWith - rssNone : null;
  if (extraMiB !== null) {
    figures.push(
      { name: `${IDLE_SESSIONS} idle agent sessions: the server's extra memory (RSS of its process tree; ${rssNone} MiB with none)`, value: extraMiB, unit: "MiB", baseline: null, ratio: null, goal: null, met: null },
      { name: "per idle agent session: the server's memory", value: Math.round((extraMiB * 1024) / IDLE_SESSIONS), unit: "KiB", baseline: null, ratio: null, goal: null, met: null },
      // Within the heap's own swings (±10-20 MiB between samples) at a hundred sessions; shown, not divided.
      { name: `${first} idle agent sessions: the server's memory (RSS of its process tree)`, value: rssFirst!, unit: "MiB", baseline: `${rssNone} MiB with none`, ratio: null, goal: null, met: null },
    );
  }
  figures.push(
    { name: `baseline: the server's CPU idle with no sessions (${IDLE_WINDOW_S} s)`, value: Number(baselineCpuPct.toFixed(1)), unit: "% of one core", baseline: null, ratio: null, goal: null, met: null },
    { name: `${IDLE_SESSIONS} idle agent sessions: the server's CPU (${IDLE_WINDOW_S} s)`, value: Number(sessionsCpuPct.toFixed(1)), unit: "% of one core", baseline: "no sessions", ratio: null, goal: null, met: null },
    { name: `${IDLE_SESSIONS} idle agent sessions: connecting them (10 at a time per agent process)`, value: Number(connectSeconds.toFixed(1)), unit: "s", baseline: null, ratio: null, goal: null, met: null },
    { name: `${IDLE_SESSIONS} idle agent sessions: the web server's CPU while they connect`, value: connectCpuPct, unit: "% of one core", baseline: null, ratio: null, goal: null, met: null },
    {
      name: `${idleRest.ready.sessions} idle agent sessions: the agent process's memory (@ngrok/ngrok, one process)`,
      value: idleRest.ready.rssMiB,
      unit: "MiB",
      baseline: `${idleRest.ready.baseRssMiB} MiB with none`,
      ratio: null,
      goal: null,
      met: null,
    },
    { name: "idle agent sessions open in the database", value: open?.n ?? 0, unit: "", baseline: null, ratio: null, goal: null, met: null },
  );
  await stopAgent(idleFirst.child);
  await stopAgent(idleRest.child);

  printFigures(figures);
  const dbName = database.kind === "server" ? "postgresql" : "embedded-postgresql";
  // A profiled server is a slower one: its figures are printed, not written over the results.
  const written = PROFILE ? "nothing (profiled run)" : writeResult("tunnels", QUICK, {
    db: dbName,
    machine: machineInfo(loadAtStart),
    data: { clients: CLIENTS, rounds: ROUNDS, requestsPerClientPerRound: PER_CLIENT, transferMiB: TRANSFER_MIB, transfers: TRANSFERS, idleSessions: IDLE_SESSIONS, idleWindowSeconds: IDLE_WINDOW_S, agent: "@ngrok/ngrok 1.7.0" },
    figures,
  });
  console.log(`\nWrote ${written}.`);

  for (const { title, profile } of profiles) {
    console.log(`\nThe web server's main thread during ${title}, self time:`);
    for (const line of hottest(profile, 25)) console.log(line);
  }
} finally {
  for (const a of agents) if (a.exitCode === null) a.kill("SIGKILL");
  // It ends its agent sessions before it exits (recorded in the database): wait for that, at most 15 s.
  await stopBotdesk(server);
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
