/**
 * `npx tsx scripts/bench-prepared.ts`: the hot statements planned per call vs
 * prepared (lib/db/prepared.ts), and what recording an event costs inside a
 * mutation's transaction, as A/B runs in ONE process: every case runs through a
 * client that prepares marked statements and through one that does not, the two
 * interleaved call by call for BENCH_RUNS rounds (200), so load elsewhere on the
 * machine hits both alike. Also the floors for the event: one more do-nothing
 * round trip, and a bare INSERT into `events` (indexes, foreign keys, roll-up
 * trigger) vs into a copy of it with the same indexes and neither, and into
 * copies with the roll-up trigger as it was (an upsert of the shared row per
 * account, day and type) and as it is (an append to the pending deltas), one
 * call at a time and ten at once (the whole batch's time). Seeds
 * BENCH_EVENTS events (20,000) on a throwaway embedded PostgreSQL or on
 * TEST_DATABASE_URL's server. Prints medians and p95; asserts nothing.
 * The key check's read runs through queryHot (lib/db/client.ts): on pg directly
 * for the prepared client, through Prisma unprepared for the other, so its case
 * measures both differences at once.
 */
import { performance } from "node:perf_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import { startTestDatabase } from "../lib/db/test-database";
import { seedBenchAccount } from "./bench-data";

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const database = await startTestDatabase();
process.env.DATABASE_URL = database.url;
process.env.DATABASE_STATEMENT_TIMEOUT_MS ??= "600000";
const { createPrismaClient } = await import("../lib/db/client");
const { PrismaClient } = await import("../lib/db/generated/client");
const { newId } = await import("../lib/ids");
const { issueSecret } = await import("../lib/domain/credentials/token-format");
const { verifyCredential } = await import("../lib/domain/credentials/verify-credential");
const { recordEvent, recordActorEvent } = await import("../lib/domain/events/record-event");
const { actorTransaction } = await import("../lib/domain/access/actor-transaction");
const { resolveSessionActor } = await import("../lib/domain/access/resolve-session-actor");

// db() returns the client on globalThis: each case swaps it before it runs.
const slot = globalThis as unknown as { botdeskPrisma?: InstanceType<typeof PrismaClient> };
const prepared = createPrismaClient(database.url, 10);
const unprepared = new PrismaClient({ adapter: new PrismaPg({ connectionString: database.url, max: 10 }) });
try {
  const { accountId, adminId } = await seedBenchAccount(prepared, { bots: 10_000, credentials: 30_000, events: Number(process.env.BENCH_EVENTS ?? 20_000), usageDays: 0 });
  const botId = (await prepared.principal.findFirstOrThrow({ where: { accountId, kind: "bot", status: "active" } })).id;
  const admin = { principal: { id: adminId, name: "Bench Admin", kind: "person" as const }, account: { id: accountId, name: "Bench", seatLimit: 5 }, role: "owner" as const, source: "dashboard" as const, credential: null };
  const credentialId = newId("apiKey");
  const good = issueSecret("api_key", credentialId);
  await prepared.credential.create({ data: { id: credentialId, accountId, ownerId: botId, kind: "api_key", secretHash: good.hash, secretHint: good.hint } });
  // The same indexes, no foreign keys, no triggers.
  await prepared.$executeRawUnsafe(`CREATE TABLE events_bare (LIKE events INCLUDING ALL)`);
  // Copies with the roll-up trigger only: the upsert of migration 20261128225758 and today's append.
  await prepared.$executeRawUnsafe(`CREATE TABLE events_upsert (LIKE events INCLUDING ALL)`);
  await prepared.$executeRawUnsafe(`CREATE TABLE events_append (LIKE events INCLUDING ALL)`);
  await prepared.$executeRawUnsafe(`CREATE TABLE counts_upsert (LIKE event_counts_daily INCLUDING ALL)`);
  await prepared.$executeRawUnsafe(`CREATE TABLE counts_append (LIKE event_counts_daily_pending INCLUDING ALL)`);
  await prepared.$executeRawUnsafe(`
    CREATE FUNCTION bench_counts_upsert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO counts_upsert AS c (account_id, day, type, n)
      SELECT account_id, (created_at AT TIME ZONE 'UTC')::date, type, count(*)::int FROM inserted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      ON CONFLICT (account_id, day, type) DO UPDATE SET n = c.n + EXCLUDED.n;
      RETURN NULL;
    END $$`);
  await prepared.$executeRawUnsafe(`
    CREATE FUNCTION bench_counts_append() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO counts_append (account_id, day, type, n)
      SELECT account_id, (created_at AT TIME ZONE 'UTC')::date, type, count(*)::int FROM inserted GROUP BY 1, 2, 3;
      RETURN NULL;
    END $$`);
  for (const kind of ["upsert", "append"]) {
    await prepared.$executeRawUnsafe(
      `CREATE TRIGGER bench_counts AFTER INSERT ON events_${kind} REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION bench_counts_${kind}()`,
    );
  }
  let n = 0;
  const db = () => slot.botdeskPrisma!;
  const rename = (tx: Parameters<Parameters<typeof prepared.$transaction>[0]>[0]) => tx.principal.update({ where: { id: botId }, data: { name: `bench-renamed-${n++}` } });
  const insertInto = (table: "events" | "events_bare" | "events_upsert" | "events_append") => (tx: Parameters<Parameters<typeof prepared.$transaction>[0]>[0]) =>
    tx.$executeRawUnsafe(
      `/* prepared */ INSERT INTO ${table} (id, account_id, type, principal_id, source, subject_id, subject_name, subject_kind, bot_id, data, created_at)
       VALUES ($1, $2, 'bot.renamed', $3, 'dashboard', $4, 'x', 'bot', $4, '{}'::jsonb, now())`,
      newId("event", Date.now()), accountId, adminId, botId,
    );
  const body: [string, () => Promise<unknown>][] = [
    ["SELECT 1 through Prisma", () => db().$queryRaw`SELECT 1`],
    ["verify: valid API key", () => verifyCredential(good.token)],
    ["session check", () => resolveSessionActor({ subject: adminId, accountId, version: 0 }, { ip: "127.0.0.1", userAgent: "bench" })],
    ["mutation without its event", () => db().$transaction((tx) => rename(tx))],
    ["mutation with recordEvent", () => db().$transaction(async (tx) => {
      await rename(tx);
      await recordEvent(tx, { accountId, type: "bot.renamed", principalId: adminId, source: "dashboard", subject: { id: botId, name: "x" } });
    })],
    // As every mutation of the app runs (lib/domain/access/actor-transaction.ts): the standing fence, the event with its check.
    ["mutation as the app makes it (fence, event, check)", () => actorTransaction(admin, async (tx) => {
      await rename(tx);
      await recordActorEvent(tx, admin, { ip: null, userAgent: null }, { type: "bot.renamed", subject: { id: botId, name: "x" } });
      return { ok: true as const, data: undefined };
    })],
    ["mutation + SELECT 1 (one more round trip)", () => db().$transaction(async (tx) => {
      await rename(tx);
      await tx.$executeRaw`/* prepared */ SELECT 1`;
    })],
    ["mutation + bare INSERT into events", () => db().$transaction(async (tx) => { await rename(tx); await insertInto("events")(tx); })],
    ["mutation + INSERT, no FKs or trigger", () => db().$transaction(async (tx) => { await rename(tx); await insertInto("events_bare")(tx); })],
    ["mutation + INSERT, no FKs, roll-up upsert (before)", () => db().$transaction(async (tx) => { await rename(tx); await insertInto("events_upsert")(tx); })],
    ["mutation + INSERT, no FKs, roll-up append (now)", () => db().$transaction(async (tx) => { await rename(tx); await insertInto("events_append")(tx); })],
    // Ten transactions at once recording the same type in the same account, each with one more statement after its
    // event: with the upsert each waits for the previous one's commit on the shared row; with the append none waits.
    ["10 at once: INSERT + SELECT 1, roll-up upsert (before)", () => Promise.all(Array.from({ length: 10 }, () =>
      db().$transaction(async (tx) => { await insertInto("events_upsert")(tx); await tx.$executeRaw`/* prepared */ SELECT 1`; })))],
    ["10 at once: INSERT + SELECT 1, roll-up append (now)", () => Promise.all(Array.from({ length: 10 }, () =>
      db().$transaction(async (tx) => { await insertInto("events_append")(tx); await tx.$executeRaw`/* prepared */ SELECT 1`; })))],
  ];
  const cases: [string, () => Promise<unknown>][] = body.flatMap(([name, run]): [string, () => Promise<unknown>][] => [
    [`planned per call: ${name}`, () => ((slot.botdeskPrisma = unprepared), run())],
    [`prepared: ${name}`, () => ((slot.botdeskPrisma = prepared), run())],
  ]);
  for (let i = 0; i < 10; i++) for (const [, run] of cases) await run();
  const times = new Map(cases.map(([name]) => [name, [] as number[]]));
  for (let round = 0; round < RUNS; round++) {
    for (const [name, run] of cases) {
      const s = performance.now();
      await run();
      times.get(name)!.push(performance.now() - s);
    }
  }
  console.log(`${"case".padEnd(62)} ${"median".padStart(8)} ${"p95".padStart(8)}`);
  for (const [name, t] of times) {
    t.sort((a, b) => a - b);
    console.log(`${name.padEnd(62)} ${t[t.length >> 1]!.toFixed(2).padStart(6)}ms ${t[Math.floor(t.length * 0.95)]!.toFixed(2).padStart(6)}ms`);
  }
} finally {
  slot.botdeskPrisma = undefined;
  await prepared.$disconnect();
  await unprepared.$disconnect();
  await database.stop();
}
