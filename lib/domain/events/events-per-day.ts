import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { EVENT_CATEGORIES, eventTypeInfo, type EventCategory } from "./catalogue";

const DAY_MS = 86_400_000;

export interface EventsPerDay {
  /** UTC days, oldest first (`2026-11-28`). */
  days: string[];
  /** Per category, one count per day. */
  series: Record<EventCategory, number[]>;
  total: number;
}

type DayCounts = { day: string; type: string; n: number }[];

/**
 * The account chart's query: counts per day and type from the daily roll-up
 * and its deltas not yet folded in (one statement, one snapshot: exactly a
 * count over events), at most days × types rows plus a minute's deltas
 * whatever the number of events (exported for the benchmark's EXPLAIN). `from`
 * is a UTC day.
 */
export function accountCountsSql(accountId: string, from: Date): Prisma.Sql {
  const day = from.toISOString().slice(0, 10);
  return Prisma.sql`
    SELECT to_char(c.day, 'YYYY-MM-DD') AS day, c.type, sum(c.n)::int AS n
    FROM (SELECT day, type, n FROM event_counts_daily WHERE account_id = ${accountId} AND day >= ${day}::date
          UNION ALL
          SELECT day, type, n FROM event_counts_daily_pending WHERE account_id = ${accountId} AND day >= ${day}::date) c
    GROUP BY c.day, c.type`;
}

/**
 * One bot's counts per day and type: the per-bot roll-up `bot_event_counts_daily` and the bot's
 * deltas not yet folded in (one statement, one snapshot: exactly a count over the events
 * concerning the bot), days × types rows however busy the bot (exported for the benchmark's EXPLAIN).
 */
export function botCountsSql(accountId: string, botId: string, from: Date): Prisma.Sql {
  const day = from.toISOString().slice(0, 10);
  return Prisma.sql`
    SELECT to_char(c.day, 'YYYY-MM-DD') AS day, c.type, sum(c.n)::int AS n
    FROM (SELECT day, type, n FROM bot_event_counts_daily WHERE bot_id = ${botId} AND account_id = ${accountId} AND day >= ${day}::date
          UNION ALL
          SELECT day, type, n FROM event_counts_daily_pending WHERE account_id = ${accountId} AND bot_id = ${botId} AND day >= ${day}::date) c
    GROUP BY c.day, c.type`;
}

/**
 * Events per UTC day over the last `days` days (today included), by category:
 * the account's, read from the daily roll-up `event_counts_daily` and its
 * pending deltas (kept by triggers on `events`, so it is always exact), or those concerning one bot
 * (the same, from the per-bot roll-up `bot_event_counts_daily`). Everyone in the account may see these counts, as they
 * see the events.
 */
export async function eventsPerDay(actor: Actor, opts: { bot?: string } = {}, now = new Date(), days = 30): Promise<EventsPerDay> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = new Date(today - (days - 1) * DAY_MS);
  const rows = await db().$queryRaw<DayCounts>(opts.bot ? botCountsSql(actor.account.id, opts.bot, start) : accountCountsSql(actor.account.id, start));

  const labels = Array.from({ length: days }, (_, i) => new Date(start.getTime() + i * DAY_MS).toISOString().slice(0, 10));
  const index = new Map(labels.map((d, i) => [d, i]));
  const series = Object.fromEntries(EVENT_CATEGORIES.map((c) => [c, labels.map(() => 0)])) as Record<EventCategory, number[]>;
  let total = 0;
  for (const r of rows) {
    const i = index.get(r.day);
    if (i === undefined) continue;
    series[eventTypeInfo(r.type).category][i]! += r.n;
    total += r.n;
  }
  return { days: labels, series, total };
}
