/**
 * `npm run bench:streams` (and part of `npm run bench`, unless `--no-streams`):
 * event streams (issue 21) from a production build to a local webhook receiver.
 *
 * A throwaway database (or a new one on TEST_DATABASE_URL's server) with one
 * account, 100 bots, a webhook destination on 127.0.0.1 (BOTDESK_DESTINATION_ALLOW)
 * subscribed to `bot_user_renamed.v0`; Botdesk started with the real start
 * command, whose delivery worker sends the messages. This script records the
 * events through the real path (`renameBot`, the domain function behind the
 * dashboard's and the API's rename, in its transaction with the outbox row),
 * against the server's database:
 * - steady: BENCH_STREAM_EVENTS events (10,000; 1,000 with --quick) at a steady
 *   100 a second; for each, the receiver's arrival time minus the event's
 *   recorded time (`event_timestamp`, taken just before its insert): p50, p95,
 *   max (goal: p95 ≤ 2 s), and the web server's CPU meanwhile;
 * - backlog: as many events recorded (8 at a time) while the receiver answers
 *   503, then, once it answers again and the messages are due, the rate at
 *   which the worker drains them (the sender's own throughput).
 * The receiver runs in a process of its own (scripts/bench-stream-receiver.ts)
 * and verifies every message's Standard Webhooks signature. Writes
 * bench/results/<date>-streams[-quick].json. Asserts nothing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { startTestDatabase } from "../lib/db/test-database";
import { buildBotdesk, describeTree, freePort, loadAverage, machineInfo, printFigures, processTree, quantile, root, startBotdesk, stopBotdesk, treeCpuSeconds, type Figure, waitFor, writeResult } from "./bench-support";

const QUICK = process.argv.includes("--quick");
const loadAtStart = loadAverage();
const EVENTS = Number(process.env.BENCH_STREAM_EVENTS ?? (QUICK ? 1_000 : 10_000));
const RATE = 100;
const BOTS = 100;
const AUTH_SECRET = "bench-auth-secret-0123456789abcdef0123456789";
const RECEIVER_HOST = "127.0.0.1";

const database = await startTestDatabase();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "bench-streams-"));
let server: ChildProcess | undefined;
let receiver: ChildProcess | undefined;

interface Arrival {
  id: string;
  /** Date.now() when the request's body was read. */
  at: number;
  /** The event's recorded time (`event_timestamp`), ms since the epoch. */
  recorded: number;
}

try {
  process.env.DATABASE_URL = database.url;
  process.env.AUTH_SECRET = AUTH_SECRET;
  process.env.BOTDESK_DESTINATION_ALLOW = `${RECEIVER_HOST}/32`;
  process.env.DATABASE_POOL_SIZE = "10";
  const { createTestAccount, createTestBot, actorOf } = await import("../lib/test-support/factories");
  const { createDestination } = await import("../lib/domain/event-streams/create-destination");
  const { createSubscription } = await import("../lib/domain/event-streams/save-subscription");
  const { renameBot } = await import("../lib/domain/bots/rename-bot");
  const { db } = await import("../lib/db/client");

  // The receiver, in a process of its own (scripts/bench-stream-receiver.ts): verifies each message, notes when it arrived, answers 204.
  const receiverPort = await freePort();
  receiver = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "bench-stream-receiver.ts"), RECEIVER_HOST, String(receiverPort)], { stdio: ["pipe", "pipe", "inherit"], cwd: root });
  const answers: ((line: string) => void)[] = [];
  createInterface({ input: receiver.stdout! }).on("line", (line) => answers.shift()?.(line));
  const ask = <T>(command: string | null): Promise<T> =>
    new Promise((resolve) => {
      answers.push((line) => resolve(JSON.parse(line) as T));
      if (command) receiver!.stdin!.write(`${command}\n`);
    });
  await ask<{ listening: boolean }>(null);
  const receivedCount = async () => (await ask<{ count: number }>("count")).count;

  const { account, owner } = await createTestAccount();
  const actor = actorOf(account, owner, "owner");
  const bots: { id: string }[] = [];
  for (let i = 0; i < BOTS; i++) bots.push(await createTestBot(account.id, `initial-${i}`));
  const ctx = { ip: "127.0.0.1", userAgent: "bench-streams" };
  const created = await createDestination(actor, { format: "json", description: "bench receiver", target: { webhook: { url: `http://${RECEIVER_HOST}:${receiverPort}/hook` } } }, ctx);
  if (!created.ok) throw new Error(`destination: ${created.message}`);
  receiver.stdin!.write(`${created.data.secret!}\n`);
  const subscribed = await createSubscription(actor, { description: "renames", sources: [{ type: "bot_user_renamed.v0" }], destination_ids: [created.data.destination.id] }, ctx);
  if (!subscribed.ok) throw new Error(`subscription: ${subscribed.message}`);

  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    PORT: String(port),
    BOTDESK_SSH_PORT: String(await freePort()),
    BOTDESK_AGENT_PORT: String(await freePort()),
    BOTDESK_INGRESS_PORT: String(await freePort()),
    BOTDESK_DATA_DIR: dataDir,
    DATABASE_STATEMENT_TIMEOUT_MS: "15000",
    NEXT_TELEMETRY_DISABLED: "1",
    // One web worker unless the run asks for more (BOTDESK_WEB_WORKERS=2 compares workers).
    BOTDESK_WEB_WORKERS: process.env.BOTDESK_WEB_WORKERS ?? "1",
  };
  await buildBotdesk(env);
  server = startBotdesk(env);
  await waitFor(`http://localhost:${port}/sign-in`, 120_000);
  console.log(`Server up: ${describeTree(server.pid!)}.`);

  let renamed = 0;
  const rename = async () => {
    const i = renamed++;
    const bot = bots[i % BOTS]!;
    const result = await renameBot(actor, { id: bot.id, name: `stream-bench-${String(i).padStart(6, "0")}` }, ctx);
    if (!result.ok) throw new Error(`rename: ${result.message}`);
  };
  /** Waits until `count` messages have arrived (or 120 s pass without a new one). */
  const arrived = async (count: number) => {
    let last = await receivedCount();
    let since = Date.now();
    while (last < count) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await receivedCount();
      if (now !== last) [last, since] = [now, Date.now()];
      else if (Date.now() - since > 120_000) throw new Error(`only ${now} of ${count} messages arrived`);
    }
  };
  const report = async () => {
    const r = await ask<{ arrivals: [string, number, number][]; badSignatures: number }>("report");
    return { arrivals: r.arrivals.map(([id, at, recorded]): Arrival => ({ id, at, recorded })), badSignatures: r.badSignatures };
  };
  const databaseCpu = () => (database.kind === "embedded" ? processTree(process.pid).filter((p) => p.name === "postgres").reduce((sum, p) => sum + p.cpuSeconds, 0) : null);

  // Steady: one event every 10 ms on a fixed schedule (a late one does not push the next back), at most 20 in flight.
  console.log(`Steady: ${EVENTS} events at ${RATE}/s…`);
  const steadyCpu = { server: treeCpuSeconds(server.pid!), database: databaseCpu() };
  const steadyStart = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < EVENTS; i++) {
    const due = steadyStart + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight.size >= 20) await Promise.race(inFlight);
    const p = rename().finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  const generatedIn = (performance.now() - steadyStart) / 1000;
  await arrived(EVENTS);
  const steadyWall = (performance.now() - steadyStart) / 1000;
  const steadyServerCpu = treeCpuSeconds(server.pid!) - steadyCpu.server;
  const dbAfter = databaseCpu();
  const steadyDbCpu = dbAfter === null || steadyCpu.database === null ? null : dbAfter - steadyCpu.database;
  const steady = (await report()).arrivals.slice(0, EVENTS);
  const lags = steady.map((a) => a.at - a.recorded);
  const steadyRate = EVENTS / generatedIn;
  const steadyDelivered = EVENTS / ((Math.max(...steady.map((a) => a.at)) - Math.min(...steady.map((a) => a.at))) / 1000);
  console.log(
    `Steady: recorded at ${steadyRate.toFixed(1)}/s, lag p50 ${quantile(lags, 0.5)} ms, p95 ${quantile(lags, 0.95)} ms, max ${Math.max(...lags)} ms; ` +
      `web server ${Math.round((100 * steadyServerCpu) / steadyWall)} %${steadyDbCpu === null ? "" : `, database ${Math.round((100 * steadyDbCpu) / steadyWall)} %`} of one core.`,
  );

  // Backlog: the receiver answers 503 while EVENTS more are recorded (the destination's queue waits for
  // its retry); then it answers again, every pending message is made due, and the worker drains them.
  console.log(`Backlog: ${EVENTS} events recorded while the receiver is down…`);
  await ask<{ paused: boolean }>("pause");
  const backlogStart = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (renamed < 2 * EVENTS) await rename();
    }),
  );
  const recordedIn = (performance.now() - backlogStart) / 1000;
  await ask<{ paused: boolean }>("resume");
  const backlogCpu = treeCpuSeconds(server.pid!);
  const resumedAt = Date.now();
  await db().$executeRaw`UPDATE event_deliveries SET next_attempt_at = now() WHERE destination_id = ${created.data.destination.id} AND status = 'pending'`;
  const drainStart = performance.now();
  await arrived(2 * EVENTS);
  const drainWall = (performance.now() - drainStart) / 1000;
  const { arrivals, badSignatures } = await report();
  const backlog = arrivals.slice(EVENTS);
  const drainSeconds = (Math.max(...backlog.map((a) => a.at)) - resumedAt) / 1000;
  const drainRate = EVENTS / drainSeconds;
  const drainServerCpu = treeCpuSeconds(server.pid!) - backlogCpu;
  console.log(
    `Backlog: recorded ${EVENTS} in ${recordedIn.toFixed(1)} s (${(EVENTS / recordedIn).toFixed(0)}/s); once the receiver answered, delivered in ${drainSeconds.toFixed(1)} s (${drainRate.toFixed(0)}/s), ` +
      `web server ${Math.round((100 * drainServerCpu) / Math.max(drainWall, 0.001))} % of one core while draining.`,
  );
  const stored = await db().eventDelivery.count({ where: { destinationId: created.data.destination.id, status: "delivered" } });
  // The HTTP request alone, as the sender timed it (latency_ms), against the time per message overall (1 / the drain rate).
  const [sendTimes] = await db().$queryRaw<{ p50: number; p95: number }[]>`
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
    FROM event_deliveries WHERE destination_id = ${created.data.destination.id} AND status = 'delivered'`;
  console.log(`The sender's HTTP request per message: p50 ${Number(sendTimes!.p50).toFixed(1)} ms, p95 ${Number(sendTimes!.p95).toFixed(1)} ms; time per message while draining: ${(1000 / drainRate).toFixed(1)} ms.`);
  if (new Set(arrivals.map((a) => a.id)).size !== arrivals.length) console.log(`Note: ${arrivals.length - new Set(arrivals.map((a) => a.id)).size} messages arrived twice (at least once).`);
  console.log(`Delivery log: ${stored} delivered; ${badSignatures} bad signatures.`);

  const figures: Figure[] = [
    { name: `steady ${RATE} events/s: events recorded per second (achieved)`, value: Number(steadyRate.toFixed(1)), unit: "/s", baseline: null, ratio: null, goal: null, met: null },
    { name: `steady ${RATE} events/s: lag from recorded to received, p50`, value: quantile(lags, 0.5), unit: "ms", baseline: null, ratio: null, goal: null, met: null },
    { name: `steady ${RATE} events/s: lag from recorded to received, p95`, value: quantile(lags, 0.95), unit: "ms", baseline: null, ratio: null, goal: 2000, met: quantile(lags, 0.95) <= 2000 },
    { name: `steady ${RATE} events/s: lag, max`, value: Math.max(...lags), unit: "ms", baseline: null, ratio: null, goal: null, met: null },
    { name: `steady ${RATE} events/s: messages delivered per second`, value: Number(steadyDelivered.toFixed(1)), unit: "/s", baseline: null, ratio: null, goal: null, met: null },
    { name: `steady ${RATE} events/s: web server's CPU`, value: Math.round((100 * steadyServerCpu) / steadyWall), unit: "% of one core", baseline: null, ratio: null, goal: null, met: null },
    ...(steadyDbCpu === null ? [] : [{ name: `steady ${RATE} events/s: database's CPU (recording and delivering)`, value: Math.round((100 * steadyDbCpu) / steadyWall), unit: "% of one core", baseline: null, ratio: null, goal: null, met: null }]),
    { name: `backlog of ${EVENTS}: events recorded per second (8 at a time)`, value: Number((EVENTS / recordedIn).toFixed(1)), unit: "/s", baseline: null, ratio: null, goal: null, met: null },
    { name: `backlog of ${EVENTS}: messages delivered per second (from the receiver's recovery to the last arrival)`, value: Number(drainRate.toFixed(1)), unit: "/s", baseline: null, ratio: null, goal: null, met: null },
    { name: `backlog of ${EVENTS}: the web server's CPU while draining`, value: Math.round((100 * drainServerCpu) / Math.max(drainWall, 0.001)), unit: "% of one core", baseline: null, ratio: null, goal: null, met: null },
    { name: "the sender's HTTP request per message (latency_ms), p50", value: Number(Number(sendTimes!.p50).toFixed(1)), p95: Number(Number(sendTimes!.p95).toFixed(1)), unit: "ms", baseline: null, ratio: null, goal: null, met: null },
    { name: "messages with a bad signature", value: badSignatures, unit: "", baseline: null, ratio: null, goal: null, met: null },
  ];
  printFigures(figures);
  const dbName = database.kind === "server" ? "postgresql" : "embedded-postgresql";
  const written = writeResult("streams", QUICK, { db: dbName, machine: machineInfo(loadAtStart), data: { events: EVENTS, rate: RATE, bots: BOTS, destinations: 1 }, figures });
  console.log(`\nWrote ${written}.`);
  await db().$disconnect();
} finally {
  await stopBotdesk(server);
  receiver?.stdin?.end();
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
