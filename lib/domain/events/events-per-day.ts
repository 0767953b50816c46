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

// The account-wide chart aggregates a month of events: kept for a minute per
// account and process, so a busy page does not repeat it on every view.
const cache = new Map<string, { at: number; value: EventsPerDay }>();
const CACHE_MS = 60_000;

/**
 * Events per UTC day over the last `days` days (today included), by category:
 * the account's, or those concerning one bot (its feed's index). Everyone in the
 * account may see these counts, as they see the events.
 */
export async function eventsPerDay(actor: Actor, opts: { bot?: string; cache?: boolean } = {}, now = new Date(), days = 30): Promise<EventsPerDay> {
  const key = opts.bot || opts.cache === false ? null : `${actor.account.id}:${days}`;
  const hit = key ? cache.get(key) : undefined;
  if (hit && now.getTime() - hit.at < CACHE_MS) return hit.value;

  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const start = new Date(today - (days - 1) * DAY_MS);
  const scope = opts.bot ? Prisma.sql`e.bot_id = ${opts.bot} AND e.account_id = ${actor.account.id}` : Prisma.sql`e.account_id = ${actor.account.id}`;
  const rows = await db().$queryRaw<{ day: string; type: string; n: number }[]>`
    SELECT to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, e.type, count(*)::int AS n
    FROM events e WHERE ${scope} AND e.created_at >= ${start}
    GROUP BY 1, 2`;
  const labels = Array.from({ length: days }, (_, i) => new Date(start.getTime() + i * DAY_MS).toISOString().slice(0, 10));
  const series = Object.fromEntries(EVENT_CATEGORIES.map((c) => [c, labels.map(() => 0)])) as Record<EventCategory, number[]>;
  let total = 0;
  for (const r of rows) {
    const i = labels.indexOf(r.day);
    if (i < 0) continue;
    series[eventTypeInfo(r.type).category][i]! += r.n;
    total += r.n;
  }
  const value = { days: labels, series, total };
  if (key) {
    if (cache.size > 1000) cache.clear();
    cache.set(key, { at: now.getTime(), value });
  }
  return value;
}
