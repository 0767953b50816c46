/**
 * The benchmarks' data: one account with BENCH_BOTS bots (default 10,000),
 * BENCH_CREDENTIALS credentials (30,000), BENCH_EVENTS events (1,000,000,
 * spread over a year) and BENCH_USAGE_DAYS days of usage for every bot (30: a
 * row per bot per UTC day up to today, as a month of metering leaves them),
 * inserted with bulk SQL in about a minute, plus an owner who can sign in and
 * an API key of theirs. Events carry what recordEvent writes (subject kind, the
 * bot they concern), so the feeds' indexes are used as in production.
 */
import { performance } from "node:perf_hooks";
import type { Db } from "../lib/db/client";
import { newId } from "../lib/ids";

export interface BenchSizes {
  bots: number;
  credentials: number;
  events: number;
  /** Days of usage (usage_daily rows) for every bot, up to today. */
  usageDays: number;
  /** Extra events by the busiest bot (BenchAccount.busiestBotId) over the last 30 days: its page's chart counts them. */
  busiestBotEvents?: number;
}

export const BENCH_PASSWORD = "bench-password-1";

export function benchSizes(quick: boolean): BenchSizes {
  return {
    bots: Number(process.env.BENCH_BOTS ?? 10_000),
    credentials: Number(process.env.BENCH_CREDENTIALS ?? 30_000),
    events: Number(process.env.BENCH_EVENTS ?? (quick ? 100_000 : 1_000_000)),
    usageDays: Number(process.env.BENCH_USAGE_DAYS ?? 30),
    // As the outside measurement of issue 20 found it: 32,399 events concerning one bot in 30 days.
    busiestBotEvents: Number(process.env.BENCH_BUSIEST_EVENTS ?? 32_000),
  };
}

export interface BenchAccount {
  accountId: string;
  adminId: string;
  adminEmail: string;
  /** Oldest first; every 10th (index 0, 10, …) is busy, the others have no events by them. */
  botIds: string[];
  /** A busy bot (botIds[length - 10]) that also did sizes.busiestBotEvents events in the last 30 days. */
  busiestBotId: string;
}

export async function seedBenchAccount(db: Db, sizes: BenchSizes, log: (line: string) => void = console.log): Promise<BenchAccount> {
  const accountId = newId("account");
  await db.account.create({ data: { id: accountId, name: "Bench", seatLimit: 5 } });
  const t0 = performance.now();
  const now = Date.now();
  for (let start = 0; start < sizes.bots; start += 1000) {
    const rows = Array.from({ length: Math.min(1000, sizes.bots - start) }, (_, j) => {
      const i = start + j;
      const name = `bench-bot-${String(i).padStart(5, "0")}`;
      return {
        id: newId("bot", now - i * 1000),
        kind: "bot" as const,
        name,
        nameKey: name,
        accountId,
        status: i % 10 === 0 ? ("deactivated" as const) : ("active" as const),
        lastActivityAt: i % 3 === 0 ? null : new Date(now - i * 7000),
        createdAt: new Date(now - i * 1000),
      };
    });
    await db.principal.createMany({ data: rows });
  }
  log(`Inserted ${sizes.bots} bots in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);

  const t1 = performance.now();
  const adminId = newId("person");
  const adminEmail = `bench-${adminId.toLowerCase()}@example.test`;
  const { hashPassword } = await import("../lib/domain/people/password");
  await db.principal.create({ data: { id: adminId, kind: "person", name: "Bench Admin", email: adminEmail, passwordHash: await hashPassword(BENCH_PASSWORD) } });
  await db.membership.create({ data: { accountId, principalId: adminId, role: "owner" } });
  const botIds = (await db.principal.findMany({ where: { accountId, kind: "bot" }, select: { id: true }, orderBy: { id: "asc" } })).map((b) => b.id);
  // Events, spread over a year, newest now: every 1,000th is a dashboard rename by the admin (a
  // rare type and source); the rest are API writes (credential.updated) by busy bots (every 10th bot; the others have
  // none by them), done with one of the credentials below, every 50th about a bot.
  const spacing = Math.max(1, Math.floor((365 * 86_400) / Math.max(1, sizes.events)));
  await db.$executeRaw`
    INSERT INTO events (id, account_id, type, principal_id, source, subject_id, subject_kind, bot_id, credential_id, credential_display, created_at)
    SELECT 'ev_bench' || g, ${accountId}, CASE WHEN rare THEN 'bot.renamed' ELSE 'credential.updated' END, CASE WHEN rare THEN ${adminId} ELSE actor END,
           CASE WHEN rare THEN 'dashboard' ELSE 'api' END, subject, CASE WHEN subject IS NOT NULL THEN 'bot' END,
           CASE WHEN rare THEN subject ELSE actor END,
           CASE WHEN NOT rare THEN 'cr_bench' || (1 + g % ${sizes.credentials}) END, CASE WHEN NOT rare THEN 'bdat_…abcd' END,
           now() - g * ${spacing} * interval '1 second'
    FROM (SELECT g, g % 1000 = 0 AS rare,
                 (${botIds}::text[])[1 + (g % (array_length(${botIds}::text[], 1) / 10)) * 10] AS actor,
                 CASE WHEN g % 50 = 0 THEN (${botIds}::text[])[1 + (g % array_length(${botIds}::text[], 1))] END AS subject
          FROM generate_series(1, ${sizes.events}) g) s`;
  // The busiest bot: API writes with one of its credentials, spread evenly over the last 30 days, so its page's 30-day chart
  // has that many events to count (the others' have ~1/1,000th of the year's events).
  const busiestBotId = botIds[Math.max(0, botIds.length - 10)]!;
  const busiest = sizes.busiestBotEvents ?? 0;
  if (busiest > 0) {
    const busySpacing = Math.max(1, Math.floor((30 * 86_400) / busiest));
    await db.$executeRaw`
      INSERT INTO events (id, account_id, type, principal_id, source, bot_id, credential_id, credential_display, created_at)
      SELECT 'ev_busiest' || g, ${accountId}, 'credential.updated', ${busiestBotId}, 'api', ${busiestBotId}, 'cr_bench1', 'bdat_…abcd',
             now() - g * ${busySpacing} * interval '1 second'
      FROM generate_series(1, ${busiest}) g`;
  }
  // Credentials: round-robin over the bots; every 20th expired (already recorded), every 10th revoked.
  await db.$executeRaw`
    INSERT INTO credentials (id, account_id, kind, owner_id, secret_hash, secret_hint, created_at, expires_at, expiry_recorded_at, revoked_at)
    SELECT 'cr_bench' || g, ${accountId}, (ARRAY['authtoken','api_key','api_key']::"CredentialKind"[])[1 + g % 3],
           (${botIds}::text[])[1 + (g % array_length(${botIds}::text[], 1))], 'x', 'abcd', now() - g * interval '1 minute',
           CASE WHEN g % 20 = 0 THEN now() - interval '1 day' WHEN g % 7 = 0 THEN now() + interval '30 days' END,
           CASE WHEN g % 20 = 0 THEN now() - interval '1 day' END,
           CASE WHEN g % 10 = 1 THEN now() END
    FROM generate_series(1, ${sizes.credentials}) g`;
  // Usage: every bot on each of the last BENCH_USAGE_DAYS UTC days, so this month has a row per bot per day so far (the
  // roll-up's trigger keeps usage_monthly as it would in production). Amounts vary by bot (the busy ones, every 10th, far
  // more), so the lists' order is not the ids'; at 10,000 bots the month's API requests pass the team plan's 1,000,000
  // early in the month, so /usage computes its over-quota marks too. The admin has some API requests of their own.
  const t2 = performance.now();
  if (sizes.usageDays > 0) {
    await db.$executeRaw`
      INSERT INTO usage_daily (account_id, principal_id, day, sessions, endpoints, bytes_in, bytes_out, tunnel_requests, api_requests)
      SELECT ${accountId}, b.id, (now() AT TIME ZONE 'UTC')::date - d,
             CASE WHEN b.n % 10 = 1 THEN 1 + (b.n + d) % 3 ELSE (b.n + d) % 2 END, (b.n + d) % 3,
             ((b.n * 7919 + d * 104729) % 50000000)::bigint * CASE WHEN b.n % 10 = 1 THEN 20 ELSE 1 END, ((b.n * 31 + d) % 9000000)::bigint,
             ((b.n + d) % 500)::bigint, (CASE WHEN b.n % 10 = 1 THEN 150 + (b.n + d) % 100 ELSE (b.n + d) % 9 END)::bigint
      FROM unnest(${botIds}::text[]) WITH ORDINALITY AS b(id, n), generate_series(0, ${sizes.usageDays - 1}) d`;
    await db.$executeRaw`
      INSERT INTO usage_daily (account_id, principal_id, day, api_requests, bytes_in)
      VALUES (${accountId}, ${adminId}, (now() AT TIME ZONE 'UTC')::date, 120, 5000)`;
    // One statement updated each bot's usage_monthly row once per day inserted, leaving every old version in the table
    // (nothing can be pruned inside the inserting transaction). In production each update is its own transaction and
    // HOT pruning and autovacuum keep the table at its live rows; compact it to that state.
    await db.$executeRawUnsafe("VACUUM FULL usage_monthly");
    log(`Inserted ${sizes.bots * sizes.usageDays} usage rows (${sizes.usageDays} days for every bot) in ${((performance.now() - t2) / 1000).toFixed(1)} s.`);
  }
  await db.$executeRawUnsafe("ANALYZE");
  if (sizes.events > 0) log(`Inserted ${sizes.events} events and ${sizes.credentials} credentials in ${((performance.now() - t1) / 1000).toFixed(1)} s.`);
  return { accountId, adminId, adminEmail, botIds, busiestBotId };
}
