/**
 * `npm run bench`: how fast the users page's queries are with 10,000 bots in
 * one account. Runs on a throwaway embedded PostgreSQL, or on
 * TEST_DATABASE_URL's server (a fresh database, dropped afterwards).
 * Also times the credential check for a valid key, a wrong secret and an
 * unknown id (the last two should cost about the same: no timing oracle).
 * With BENCH_EVENTS events (default 1,000,000) it also times a bot's activity
 * feed, for a busy bot and a quiet one. Seeds BENCH_CREDENTIALS credentials
 * (default 30,000) for the credentials list and the users page's counts, and
 * BENCH_USAGE_DAYS days of usage for every bot (default 30) for the usage page,
 * its API and the over-quota banner.
 * Baselines in the same run: `SELECT 1` through Prisma and through `pg` (one
 * round trip). Prints the median and p95 of each query, and the ratio of the
 * hot paths to their baselines against the issue's goals (a Markdown table);
 * writes bench/results/<date>-<db>.json. Medians over rounds that each run
 * every case once. Asserts nothing: goals are reported, never tested.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startTestDatabase } from "../lib/db/test-database";
import { benchSizes, seedBenchAccount } from "./bench-data";

// `--quick`: the same data but 100,000 events and fewer rounds, well under 2 minutes.
const QUICK = process.argv.includes("--quick");
const loadAtStart = os.loadavg().map((l) => Number(l.toFixed(2)));
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 10 : 30));
const { bots: BOTS, events: EVENTS, credentials: CREDENTIALS, usageDays: USAGE_DAYS } = benchSizes(QUICK);

const database = await startTestDatabase();
process.env.DATABASE_URL = database.url;
process.env.DATABASE_POOL_SIZE = "10";
// Seeding a million events in one statement takes longer than the app's statement timeout.
process.env.DATABASE_STATEMENT_TIMEOUT_MS ??= "600000";
const { db } = await import("../lib/db/client");
const { newId } = await import("../lib/ids");
const { listBots } = await import("../lib/domain/bots/list-bots");
const { getSeatUsage } = await import("../lib/domain/accounts/get-seat-usage");
const { listBotsQuerySchema } = await import("../lib/validation/bots");
const { issueSecret } = await import("../lib/domain/credentials/token-format");
const { verifyCredential } = await import("../lib/domain/credentials/verify-credential");
const { listEvents, countNewerEvents, eventsPageSql } = await import("../lib/domain/events/list-events");
const { Prisma } = await import("../lib/db/generated/client");
const { eventsQuerySchema } = await import("../lib/validation/events");
const { eventsPerDay, accountCountsSql } = await import("../lib/domain/events/events-per-day");
const { compactEventCounts } = await import("../lib/domain/events/compact-event-counts");
const { resolveSessionActor } = await import("../lib/domain/access/resolve-session-actor");
const { recordEvent, recordActorEvent } = await import("../lib/domain/events/record-event");
const { actorTransaction } = await import("../lib/domain/access/actor-transaction");
const { listCredentials } = await import("../lib/domain/credentials/list-credentials");
const { listCredentialsQuerySchema } = await import("../lib/validation/credentials");
const { recordExpiredCredentials } = await import("../lib/domain/credentials/record-expired-credentials");
const { getInsights } = await import("../lib/domain/insights/get-insights");
const { accountQuotaUsage, forgetQuotaCache, quotasOver } = await import("../lib/domain/quotas/quota-usage");
const { usageThisMonth } = await import("../lib/domain/usage/usage-this-month");
const { default: pg } = await import("pg");
const pool = new pg.Pool({ connectionString: database.url, max: 2 });

try {
  const { accountId, adminId, botIds } = await seedBenchAccount(db(), { bots: BOTS, credentials: CREDENTIALS, events: EVENTS, usageDays: USAGE_DAYS });

  // A real credential, a wrong secret for its id, and a well-formed token for an id that does not exist.
  const botId = (await db().principal.findFirstOrThrow({ where: { accountId, kind: "bot", status: "active" } })).id;
  const credentialId = newId("apiKey");
  const good = issueSecret("api_key", credentialId);
  await db().credential.create({ data: { id: credentialId, accountId, ownerId: botId, kind: "api_key", secretHash: good.hash, secretHint: good.hint } });
  const wrongSecret = issueSecret("api_key", credentialId).token;
  const unknownId = issueSecret("api_key", newId("apiKey")).token;

  // An account with three webhooks subscribed to bot_user_renamed.v0: recording its event also queues three messages (the outbox).
  const streamsAccountId = newId("account");
  await db().account.create({ data: { id: streamsAccountId, name: "Bench streams", seatLimit: 5 } });
  const streamDestinations = [0, 1, 2].map(() => newId("eventDestination"));
  for (const id of streamDestinations) {
    await db().eventDestination.create({ data: { id, accountId: streamsAccountId, kind: "webhook", target: { url: "https://203.0.113.10/bench" }, secretSealed: "v1.bench" } });
  }
  await db().eventSubscription.create({
    data: {
      id: newId("eventSubscription"),
      accountId: streamsAccountId,
      sources: ["bot_user_renamed.v0"],
      destinations: { create: streamDestinations.map((destinationId) => ({ destinationId, accountId: streamsAccountId })) },
    },
  });
  const admin = { principal: { id: adminId, name: "Bench Admin", kind: "person" as const }, account: { id: accountId, name: "Bench", seatLimit: 5 }, role: "owner" as const, source: "dashboard" as const, credential: null };
  const session = { subject: adminId, accountId, version: 0 };
  const ctx = { ip: "127.0.0.1", userAgent: "bench" };
  let n = 0;
  const feed = (raw: Record<string, string | undefined>) => eventsQuerySchema.parse(raw);
  // The 50th page of the account's activity: the cursor 49 pages of 50 down.
  let page50: string | undefined;
  for (let i = 0; i < 49; i++) page50 = (await listEvents(admin, feed(page50 ? { before: page50 } : {}))).older ?? page50;
  const newest = (await listEvents(admin, feed({ limit: "1" }))).rows[0]?.cursor ?? "0.ev_0";
  // /usage's 20th page of 50 principals, and the API's 10th of 100: the cursors a client would hold there.
  let usagePage20: string | null = null;
  for (let i = 0; i < 19; i++) usagePage20 = (await accountQuotaUsage(admin, { after: usagePage20 })).principals.after ?? usagePage20;
  let apiPage10: string | null = null;
  for (let i = 0; i < 9; i++) apiPage10 = (await usageThisMonth(admin, { limit: 100, after: apiPage10 })).next ?? apiPage10;
  const cases: [string, () => Promise<unknown>][] = [
    ["baseline: SELECT 1 through Prisma", () => db().$queryRaw`SELECT 1`],
    ["baseline: SELECT 1 through pg", () => pool.query("SELECT 1")],
    ["session check (resolveSessionActor)", () => resolveSessionActor(session, ctx)],
    ["mutation without its event", () => db().$transaction((tx) => tx.principal.update({ where: { id: botId }, data: { name: `bench-renamed-${n++}` } }))],
    ["mutation with its event", () => db().$transaction(async (tx) => {
      await tx.principal.update({ where: { id: botId }, data: { name: `bench-renamed-${n++}` } });
      await recordEvent(tx, { accountId, type: "bot.renamed", principalId: adminId, source: "dashboard", subject: { id: botId, name: "x" } });
    })],
    // The same with three event destinations subscribed to the event's type: its three messages are queued in the same statement.
    ["mutation with its event, 3 subscribed destinations", () => db().$transaction(async (tx) => {
      await tx.principal.update({ where: { id: botId }, data: { name: `bench-renamed-${n++}` } });
      await recordEvent(tx, { accountId: streamsAccountId, type: "bot.renamed", principalId: adminId, source: "dashboard", subject: { id: botId, name: "x" } });
    })],
    // As every mutation of the app runs: the actor's standing fence first, the event with its standing check.
    ["mutation as the app makes it (fence, event, check)", () => actorTransaction(admin, async (tx) => {
      await tx.principal.update({ where: { id: botId }, data: { name: `bench-renamed-${n++}` } });
      await recordActorEvent(tx, admin, ctx, { type: "bot.renamed", subject: { id: botId, name: "x" } });
      return { ok: true as const, data: undefined };
    })],
    // The floor for the event's cost: one more (prepared) round trip in the same transaction, doing nothing.
    ["mutation with one more round trip (SELECT 1)", () => db().$transaction(async (tx) => {
      await tx.principal.update({ where: { id: botId }, data: { name: `bench-renamed-${n++}` } });
      await tx.$executeRaw`/* prepared */ SELECT 1`;
    })],
    ["verify: valid API key", () => verifyCredential(good.token)],
    ["verify: wrong secret, known id", () => verifyCredential(wrongSecret)],
    ["verify: unknown id", () => verifyCredential(unknownId)],
    ["first page, newest first", () => listBots(accountId, listBotsQuerySchema.parse({}))],
    ["sort by name, page 200 of 400", () => listBots(accountId, listBotsQuerySchema.parse({ sort: "name", dir: "asc", page: "200" }))],
    ["sort by last activity", () => listBots(accountId, listBotsQuerySchema.parse({ sort: "lastActivity" }))],
    ["filter text '0042' + deactivated", () => listBots(accountId, listBotsQuerySchema.parse({ q: "0042", status: "deactivated" }))],
    ["100 per page", () => listBots(accountId, listBotsQuerySchema.parse({ size: "100" }))],
    ["seat summary", () => getSeatUsage(accountId)],
    ["bot feed: busy bot (newest 20)", () => listEvents(admin, feed({ bot: botIds[0]!, limit: "20" }))],
    ["bot feed: quiet bot (no events)", () => listEvents(admin, feed({ bot: botIds[1]!, limit: "20" }))],
    ["activity page 1", () => listEvents(admin, feed({}))],
    ["activity page 50", () => listEvents(admin, feed({ before: page50 }))],
    ["activity: type bot.renamed (1 in 1,000)", () => listEvents(admin, feed({ type: "bot.renamed" }))],
    ["activity: category bots", () => listEvents(admin, feed({ category: "bots" }))],
    ["activity: source dashboard", () => listEvents(admin, feed({ source: "dashboard" }))],
    ["activity: principal (the admin)", () => listEvents(admin, feed({ principal: adminId }))],
    ["activity: credential", () => listEvents(admin, feed({ credential: "cr_bench7" }))],
    ["activity: last 24 hours, page 50", () => listEvents(admin, feed({ range: "24h", before: page50 }))],
    ["activity: new-events count (none)", () => countNewerEvents(admin, feed({}), newest)],
    ["chart: account, 30 days (daily roll-up)", () => eventsPerDay(admin)],
    ["chart: busy bot, 30 days", () => eventsPerDay(admin, { bot: botIds[0]! })],
    ["credentials: first page", () => listCredentials(admin, listCredentialsQuerySchema.parse({}))],
    ["credentials: page 40", () => listCredentials(admin, listCredentialsQuerySchema.parse({ page: "40" }))],
    ["credentials: status active", () => listCredentials(admin, listCredentialsQuerySchema.parse({ status: "active" }))],
    ["credentials: owner filter options (100 bots by name)", () => listBots(accountId, listBotsQuerySchema.parse({ sort: "name", dir: "asc", size: "100" }))],
    ["expiry sweep (nothing to record)", () => recordExpiredCredentials()],
    ["insights on the Overview (4 index ranges)", () => getInsights(admin)],
    ["usage page: meters, chart, first 50 principals", () => accountQuotaUsage(admin)],
    ["usage page: page 20 (keyset), chart of bandwidth", () => accountQuotaUsage(admin, { after: usagePage20, metric: "bandwidth" })],
    ["usage API: page 10 of 100 principals", () => usageThisMonth(admin, { limit: 100, after: apiPage10 })],
    // What the banner computes once a minute per account and process (forgotten first, so each round computes).
    ["over-quota banner: the month's one sum (uncached)", () => (forgetQuotaCache(accountId), quotasOver(admin))],
  ];
  // BENCH_EXPLAIN=1: the plan of each activity query (which index, how many rows read).
  if (process.env.BENCH_EXPLAIN) {
    const plans: [string, Record<string, string | undefined>][] = [
      ["bot feed: busy bot", { bot: botIds[0]!, limit: "20" }],
      ["bot feed: quiet bot", { bot: botIds[1]!, limit: "20" }],
      ["activity page 1", {}],
      ["activity page 50", { before: page50 }],
      ["type bot.renamed", { type: "bot.renamed" }],
      ["category bots", { category: "bots" }],
      ["source dashboard", { source: "dashboard" }],
      ["principal", { principal: adminId }],
      ["credential", { credential: "cr_bench7" }],
      ["last 24 hours, page 50", { range: "24h", before: page50 }],
      ["newer than page 50 (back)", { after: page50 }],
    ];
    for (const [name, raw] of plans) {
      const rows = await db().$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) ${eventsPageSql(admin, feed(raw))}`);
      console.log(`\n--- ${name}\n${rows.map((r) => r["QUERY PLAN"]).join("\n")}`);
    }
    // The chart as seeded (the seed's deltas not yet folded in), then after the compaction an instance runs once a minute.
    const monthAgo = new Date(Date.now() - 29 * 86_400_000);
    for (const state of ["deltas pending", "compacted"]) {
      if (state === "compacted") await compactEventCounts();
      const chart = await db().$queryRaw<{ "QUERY PLAN": string }[]>(Prisma.sql`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON) ${accountCountsSql(accountId, monthAgo)}`);
      console.log(`\n--- chart: account, 30 days (event_counts_daily + pending, ${state})\n${chart.map((r) => r["QUERY PLAN"]).join("\n")}`);
    }
  }
  // The timed chart reads the roll-up as a running instance keeps it: deltas folded in once a minute.
  await compactEventCounts();

  // Rounds, each running every case once, so a burst of load elsewhere on the
  // machine hits all cases alike instead of skewing one of them.
  for (const [, run] of cases) await run();
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let round = 0; round < RUNS; round++) {
    for (const [name, run] of cases) {
      const s = performance.now();
      await run();
      times.get(name)!.push(performance.now() - s);
    }
  }
  const quantile = (name: string, q: number) => {
    const sorted = [...times.get(name)!].sort((a, b) => a - b);
    return Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2));
  };
  const median = (name: string) => quantile(name, 0.5);
  console.log(`\n${"query".padEnd(52)} ${"median".padStart(9)} ${"p95".padStart(9)}`);
  for (const [name] of cases) console.log(`${name.padEnd(52)} ${median(name).toFixed(1).padStart(7)}ms ${quantile(name, 0.95).toFixed(1).padStart(7)}ms`);

  // Figures against their same-run baselines and the issue's goals.
  const prismaSelect1 = "baseline: SELECT 1 through Prisma";
  const relative: [string, string, number | null][] = [
    ["verify: valid API key", prismaSelect1, 2.5],
    ["session check (resolveSessionActor)", prismaSelect1, null],
    ["mutation with its event", "mutation without its event", 1.3],
    ["mutation as the app makes it (fence, event, check)", "mutation without its event", 1.3],
    ["mutation with one more round trip (SELECT 1)", "mutation without its event", null],
  ];
  const figures = cases.map(([name]) => {
    const rel = relative.find(([n]) => n === name);
    const ratio = rel ? Number((median(name) / median(rel[1])).toFixed(2)) : null;
    const goal = rel?.[2] ?? null;
    return { name, value: median(name), p95: quantile(name, 0.95), unit: "ms", baseline: rel?.[1] ?? null, ratio, goal, met: goal === null || ratio === null ? null : ratio <= goal };
  });
  console.log(`\n| figure | median | baseline | ratio | goal | met |\n|---|---|---|---|---|---|`);
  for (const f of figures.filter((f) => f.baseline)) {
    console.log(`| ${f.name} | ${f.value} ms | ${f.baseline} (${median(f.baseline!)} ms) | ${f.ratio} × | ${f.goal ? `≤ ${f.goal} ×` : "–"} | ${f.met === null ? "–" : f.met ? "yes" : "no"} |`);
  }
  const dbName = database.kind === "server" ? "postgresql" : "embedded-postgresql";
  const file = path.join("bench", "results", `${new Date().toISOString().slice(0, 10)}-${dbName}${QUICK ? "-quick" : ""}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  // The machine's load average (1, 5, 15 min) when the run began and ended: 2 cores shared with other work skew every figure.
  const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "", memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}`, loadAverage: { start: loadAtStart, end: os.loadavg().map((l) => Number(l.toFixed(2))) } };
  writeFileSync(file, `${JSON.stringify({ db: dbName, machine, data: { bots: BOTS, credentials: CREDENTIALS, events: EVENTS, usageDays: USAGE_DAYS, rounds: RUNS }, figures }, null, 2)}\n`);
  console.log(`\nWrote ${file}.`);
} finally {
  await pool.end();
  await db().$disconnect();
  await database.stop();
}

// Then the pages over HTTP, from a production build (scripts/bench-http.ts; `--no-http` skips it).
if (!process.argv.includes("--no-http")) await import("./bench-http");
// Then agents through tunnels and event streams, each in a process of its own: they call the domain
// functions, whose database client and settings this process already holds for the query benchmark.
// `--no-tunnels` / `--no-streams` skip them.
for (const part of ["tunnels", "streams"]) {
  if (process.argv.includes(`--no-${part}`)) continue;
  const { spawnSync } = await import("node:child_process");
  const run = spawnSync(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, `bench-${part}.ts`), ...(QUICK ? ["--quick"] : [])], { stdio: "inherit" });
  if (run.status !== 0) process.exitCode = 1;
}
