import { z } from "zod";
import { EVENT_CATEGORIES, EVENT_TYPES } from "@/lib/domain/events/catalogue";
import { EVENT_PAGE_SIZE_DEFAULT, EVENT_PAGE_SIZE_MAX, EVENT_SOURCES, TIME_RANGES } from "@/lib/domain/events/filters";
import { idSchema } from "./common";

/** A keyset cursor: `<created_at in ms>.<event id>` (the row's place in newest-first order). */
export const CURSOR_PATTERN = /^(\d{1,15})\.(ev_[0-9A-Za-z]{1,40})$/;

const cursorSchema = z.string().max(64).regex(CURSOR_PATTERN).optional().catch(undefined);
const optionalId = idSchema.optional().catch(undefined);
/** A day (`2026-11-28`, from a date input) or an instant (ISO 8601); read as UTC. */
const dateSchema = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/)
  .refine((s) => !Number.isNaN(Date.parse(s)))
  .optional()
  .catch(undefined);

/**
 * The activity feeds' filters and page, as they come from the URL (the
 * /activity page, the bot page, the export). Every value is bounded; an
 * unparseable one falls back to "no filter", like any stale URL.
 */
export const eventsQuerySchema = z.object({
  /** Who acted (a person or a bot, also deleted or removed). */
  principal: optionalId,
  /** The bot the event concerns: it acted, it is the subject, or it owns the credential that is. */
  bot: optionalId,
  /** The credential used, or the credential the event is about. */
  credential: optionalId,
  type: z.enum(EVENT_TYPES as [string, ...string[]]).optional().catch(undefined),
  category: z.enum(EVENT_CATEGORIES).optional().catch(undefined),
  source: z.enum(EVENT_SOURCES).optional().catch(undefined),
  range: z.enum(TIME_RANGES).catch("all").default("all"),
  /** With range=custom: from this day/instant (inclusive) to that one (a day: to its end). */
  from: dateSchema,
  to: dateSchema,
  /** Older than this row (the next page). */
  before: cursorSchema,
  /** Newer than this row (the previous page). */
  after: cursorSchema,
  limit: z.coerce.number().int().min(1).max(EVENT_PAGE_SIZE_MAX).catch(EVENT_PAGE_SIZE_DEFAULT).default(EVENT_PAGE_SIZE_DEFAULT),
});
export type EventsQuery = z.infer<typeof eventsQuerySchema>;

/** The filter keys, in URL order (paging keys excluded). */
export const EVENT_FILTER_KEYS = ["principal", "bot", "credential", "type", "category", "source", "range", "from", "to"] as const;

/** Reads the query from URL search params (first value of each key). */
export function eventsQueryFromParams(params: Record<string, string | string[] | undefined> | URLSearchParams): EventsQuery {
  const get = (key: string) => {
    if (params instanceof URLSearchParams) return params.get(key) ?? undefined;
    const v = params[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const raw: Record<string, string | undefined> = {};
  for (const key of [...EVENT_FILTER_KEYS, "before", "after", "limit"]) raw[key] = get(key) || undefined;
  // A from/to date without a range is a custom range.
  if ((raw.from || raw.to) && (!raw.range || raw.range === "all")) raw.range = "custom";
  return eventsQuerySchema.parse(raw);
}

/** The URL search string of a query's filters (defaults left out), plus `extra` keys: `?bot=…&range=7d`. */
export function eventsSearch(q: Partial<EventsQuery>, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const key of EVENT_FILTER_KEYS) {
    const v = q[key];
    if (v === undefined || (key === "range" && v === "all")) continue;
    if ((key === "from" || key === "to") && q.range !== "custom") continue;
    params.set(key, String(v));
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : "";
}

export const RETENTION_DAYS_MIN = 1;
export const RETENTION_DAYS_MAX = 36_500;

/** An account's event retention, in days (the column's CHECK allows the same range). */
export const setEventRetentionSchema = z.object({
  days: z.coerce
    .number({ error: "Enter a number of days" })
    .int("Enter a whole number of days")
    .min(RETENTION_DAYS_MIN, `At least ${RETENTION_DAYS_MIN} day`)
    .max(RETENTION_DAYS_MAX, `At most ${RETENTION_DAYS_MAX.toLocaleString("en")} days (100 years)`),
});
