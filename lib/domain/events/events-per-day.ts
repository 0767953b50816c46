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

// The account-wide chart aggregates a month of events (about 1.2 s at a million
// events in 30 days). Past days hardly change (events are append-only; only a
// late expiry record lands in the past), so they are kept an hour per account
// and process; today is counted again after a minute.
const cache = new Map<string, { at: number; rows: DayCounts }>();
const PAST_MS = 3_600_000;
const TODAY_MS = 60_000;

async function counted(key: string | null, maxAge: number, now: Date, read: () => Promise<DayCounts>): Promise<DayCounts> {
  const hit = key ? cache.get(key) : undefined;
  if (hit && now.getTime() - hit.at < maxAge) return hit.rows;
  const rows = await read();
  if (key) {
    if (cache.size > 2000) cache.clear();
    cache.set(key, { at: now.getTime(), rows });
  }
  return rows;
}

/**
 * Events per UTC day over the last `days` days (today included), by category:
 * the account's, or those concerning one bot (its feed's index, never cached).
 * Everyone in the account may see these counts, as they see the events.
 */
export async function eventsPerDay(actor: Actor, opts: { bot?: string; cache?: boolean } = {}, now = new Date(), days = 30): Promise<EventsPerDay> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = new Date(today - (days - 1) * DAY_MS);
  const scope = opts.bot ? Prisma.sql`e.bot_id = ${opts.bot} AND e.account_id = ${actor.account.id}` : Prisma.sql`e.account_id = ${actor.account.id}`;
  const read = (from: Date, to: Date | null) => () =>
    db().$queryRaw<DayCounts>`
      SELECT to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, e.type, count(*)::int AS n
      FROM events e WHERE ${scope} AND e.created_at >= ${from} ${to ? Prisma.sql`AND e.created_at < ${to}` : Prisma.empty}
      GROUP BY 1, 2`;
  const cached = !opts.bot && opts.cache !== false;
  const key = `${actor.account.id}:${start.toISOString()}`;
  const [past, recent] = await Promise.all([
    counted(cached ? `${key}:past` : null, PAST_MS, now, read(start, new Date(today))),
    counted(cached ? `${key}:today` : null, TODAY_MS, now, read(new Date(today), null)),
  ]);

  const labels = Array.from({ length: days }, (_, i) => new Date(start.getTime() + i * DAY_MS).toISOString().slice(0, 10));
  const index = new Map(labels.map((d, i) => [d, i]));
  const series = Object.fromEntries(EVENT_CATEGORIES.map((c) => [c, labels.map(() => 0)])) as Record<EventCategory, number[]>;
  let total = 0;
  for (const r of [...past, ...recent]) {
    const i = index.get(r.day);
    if (i === undefined) continue;
    series[eventTypeInfo(r.type).category][i]! += r.n;
    total += r.n;
  }
  return { days: labels, series, total };
}
