import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { mayViewIpOf } from "@/lib/domain/permissions";
import type { EventsQuery } from "@/lib/validation/events";
import { CURSOR_PATTERN } from "@/lib/validation/events";
import { eventTypeInfo, eventTypesIn, type EventCategory } from "./catalogue";
import { TIME_RANGE_MS } from "./filters";
import type { SubjectKind } from "./record-event";
import { eventSummary, isRecord, type SummaryPart } from "./summary";

/** What every view of an event shows, as every viewer may see it (see mayViewIpOf for the IP). */
export interface EventFields {
  id: string;
  type: string;
  label: string;
  category: EventCategory;
  source: string;
  createdAt: Date;
  /** Who acted, with its current name; `deleted` for a deleted bot. Pages show source `system` as "System". */
  actor: { id: string; name: string; kind: "person" | "bot"; deleted: boolean };
  /** What it was about, with its name at the time. */
  subject: { id: string; name: string; kind: SubjectKind | null } | null;
  /** The bot the event concerns. */
  botId: string | null;
  /** The credential used (API and agents), as it was shown then. */
  credential: { id: string; display: string } | null;
  /** Null when unknown or when the viewer may not see this principal's IP. */
  ip: string | null;
  /** This row's keyset position (`before=`/`after=`). */
  cursor: string;
}

/** One row of an activity feed. */
export interface EventRow extends EventFields {
  /** What changed or why, in one line read from its data (`name: a → b`, `reason: revoked · path: …`). */
  summary: SummaryPart[];
}

/** Every field of one event (the detail view and exports); the user agent under the same rule as the IP. */
export interface EventDetail extends EventFields {
  /** The bot concerned's current name and whether it was deleted (the detail view; null in feeds and exports). */
  bot: { id: string; name: string; deleted: boolean } | null;
  userAgent: string | null;
  data: Record<string, unknown>;
}

export interface EventPage {
  rows: EventRow[];
  /** Cursor for the next newer page (`after=`), null at the newest. */
  newer: string | null;
  /** Cursor for the next older page (`before=`), null at the oldest. */
  older: string | null;
}

type Filters = Omit<EventsQuery, "before" | "after" | "limit">;

interface RawRow {
  id: string;
  type: string;
  source: string;
  created_at: Date;
  principal_id: string;
  principal_name: string;
  principal_kind: "person" | "bot";
  principal_deleted_at: Date | null;
  subject_id: string | null;
  subject_name: string | null;
  subject_kind: string | null;
  bot_id: string | null;
  credential_id: string | null;
  credential_display: string | null;
  ip: string | null;
  user_agent: string | null;
  data: unknown;
  /** Only the detail view reads these. */
  bot_name?: string | null;
  bot_deleted_at?: Date | null;
}

const DAY_MS = 86_400_000;
const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

/** The time window of a query: a preset counted back from now, or a custom from/to (a day `to` includes that whole day, UTC). */
export function timeWindow(q: Pick<Filters, "range" | "from" | "to">, now = new Date()): { from: Date | null; to: Date | null } {
  const back = TIME_RANGE_MS[q.range];
  if (back) return { from: new Date(now.getTime() - back), to: null };
  if (q.range !== "custom") return { from: null, to: null };
  const from = q.from ? new Date(isDay(q.from) ? `${q.from}T00:00:00Z` : q.from) : null;
  const to = q.to ? new Date(isDay(q.to) ? Date.parse(`${q.to}T00:00:00Z`) + DAY_MS : Date.parse(q.to)) : null;
  return { from, to };
}

export function cursorOf(row: { createdAt: Date; id: string }): string {
  return `${row.createdAt.getTime()}.${row.id}`;
}

function parseCursor(cursor: string): { at: Date; id: string } {
  const m = CURSOR_PATTERN.exec(cursor);
  if (!m) throw new Error("invalid cursor");
  return { at: new Date(Number(m[1])), id: m[2]! };
}

const typesOf = (q: Filters): string[] | null => (q.type ? [q.type] : q.category ? eventTypesIn(q.category) : null);

/** Conditions every row must meet: the actor's account, then each filter. */
function conditions(accountId: string, q: Filters, now: Date): Prisma.Sql[] {
  const out = [Prisma.sql`e.account_id = ${accountId}`];
  const types = typesOf(q);
  if (types) out.push(Prisma.sql`e.type = ANY(${types}::text[])`);
  if (q.source) out.push(Prisma.sql`e.source = ${q.source}`);
  if (q.principal) out.push(Prisma.sql`e.principal_id = ${q.principal}`);
  if (q.bot) out.push(Prisma.sql`e.bot_id = ${q.bot}`);
  if (q.credential) out.push(Prisma.sql`(e.credential_id = ${q.credential} OR e.subject_id = ${q.credential})`);
  const { from, to } = timeWindow(q, now);
  if (from) out.push(Prisma.sql`e.created_at >= ${from}`);
  if (to) out.push(Prisma.sql`e.created_at < ${to}`);
  return out;
}

/**
 * The index walks that answer a query, each already in (created_at, id) order:
 * the most selective filter drives. Several walks (a category's types; a
 * credential used or about) are disjoint and merged by the outer ORDER BY, each
 * reading at most `limit` rows, so no filter ever scans the account's events.
 */
function drivers(accountId: string, q: Filters): Prisma.Sql[] {
  if (q.bot) return [Prisma.sql`e.bot_id = ${q.bot}`];
  if (q.principal) return [Prisma.sql`e.principal_id = ${q.principal}`];
  if (q.credential) {
    return [Prisma.sql`e.credential_id = ${q.credential}`, Prisma.sql`e.subject_id = ${q.credential} AND e.credential_id IS DISTINCT FROM ${q.credential}`];
  }
  const types = typesOf(q);
  if (types) return types.map((t) => Prisma.sql`e.account_id = ${accountId} AND e.type = ${t}`);
  if (q.source) return [Prisma.sql`e.account_id = ${accountId} AND e.source = ${q.source}`];
  return [Prisma.sql`e.account_id = ${accountId}`];
}

/** The ids of up to `limit` matching events past the cursor, newest first (desc) or oldest first (asc). */
function keysetSql(accountId: string, q: Filters, now: Date, dir: "desc" | "asc", cursor: string | undefined, limit: number): Prisma.Sql {
  const common = conditions(accountId, q, now);
  if (cursor) {
    const c = parseCursor(cursor);
    common.push(dir === "desc" ? Prisma.sql`(e.created_at, e.id) < (${c.at}, ${c.id})` : Prisma.sql`(e.created_at, e.id) > (${c.at}, ${c.id})`);
  }
  const order = dir === "desc" ? Prisma.sql`created_at DESC, id DESC` : Prisma.sql`created_at ASC, id ASC`;
  const branches = drivers(accountId, q).map(
    (d) => Prisma.sql`(SELECT e.id, e.created_at FROM events e WHERE ${d} AND ${Prisma.join(common, " AND ")} ORDER BY ${order} LIMIT ${limit})`,
  );
  return Prisma.sql`SELECT id, created_at FROM (${Prisma.join(branches, " UNION ALL ")}) k ORDER BY ${order} LIMIT ${limit}`;
}

/** The SQL of one page of listEvents, for EXPLAIN in the benchmark. */
export function eventsPageSql(actor: Actor, q: EventsQuery, now = new Date()): Prisma.Sql {
  const dir = q.after && !q.before ? "asc" : "desc";
  return rowsSql(keysetSql(actor.account.id, q, now, dir, dir === "asc" ? q.after : q.before, q.limit + 1), dir);
}

function rowsSql(keys: Prisma.Sql, dir: "desc" | "asc"): Prisma.Sql {
  const order = dir === "desc" ? Prisma.sql`e.created_at DESC, e.id DESC` : Prisma.sql`e.created_at ASC, e.id ASC`;
  return Prisma.sql`
    SELECT e.id, e.type, e.source, e.created_at, e.principal_id, p.name AS principal_name, p.kind::text AS principal_kind,
           p.deleted_at AS principal_deleted_at, e.subject_id, e.subject_name, e.subject_kind, e.bot_id, e.credential_id,
           e.credential_display, e.ip, e.user_agent, e.data
    FROM (${keys}) k JOIN events e ON e.id = k.id JOIN principals p ON p.id = e.principal_id
    ORDER BY ${order}`;
}

async function fetchRows(keys: Prisma.Sql, dir: "desc" | "asc"): Promise<RawRow[]> {
  return db().$queryRaw<RawRow[]>(rowsSql(keys, dir));
}

function toRow(actor: Actor, r: RawRow): EventDetail {
  const info = eventTypeInfo(r.type);
  const ipVisible = mayViewIpOf(actor, r.principal_id);
  const data = isRecord(r.data) ? r.data : {};
  return {
    id: r.id,
    type: r.type,
    label: info.label,
    category: info.category,
    source: r.source,
    createdAt: r.created_at,
    actor: { id: r.principal_id, name: r.principal_name, kind: r.principal_kind, deleted: r.principal_deleted_at !== null },
    subject: r.subject_id ? { id: r.subject_id, name: r.subject_name ?? r.subject_id, kind: (r.subject_kind as SubjectKind | null) ?? null } : null,
    botId: r.bot_id,
    credential: r.credential_id ? { id: r.credential_id, display: r.credential_display ?? r.credential_id } : null,
    ip: ipVisible ? r.ip : null,
    bot: r.bot_id && r.bot_name ? { id: r.bot_id, name: r.bot_name, deleted: Boolean(r.bot_deleted_at) } : null,
    userAgent: ipVisible ? r.user_agent : null,
    data,
    cursor: cursorOf({ createdAt: r.created_at, id: r.id }),
  };
}

/** A feed's row: the detail's fields without its user agent, data and bot, with the one-line summary of its data (exports need none). */
function feedRow(detail: EventDetail): EventRow {
  const row: Partial<EventDetail> & EventFields = { ...detail };
  delete row.userAgent;
  delete row.data;
  delete row.bot;
  return { ...row, summary: eventSummary(detail.type, detail.data) };
}

/**
 * One page of the actor's account's events matching the filters, newest first,
 * keyset-paged on (created_at, id) — no OFFSET: every page is an index walk of
 * at most `limit` + 1 rows, and a page never shifts when new events arrive.
 * `before` pages to older events, `after` to newer ones. Everyone in the
 * account sees every event; only admins see other principals' IP addresses
 * and user agents (mayViewIpOf).
 */
export async function listEvents(actor: Actor, q: EventsQuery, now = new Date()): Promise<EventPage> {
  const accountId = actor.account.id;
  if (q.after && !q.before) {
    const raw = await fetchRows(keysetSql(accountId, q, now, "asc", q.after, q.limit + 1), "asc");
    const more = raw.length > q.limit;
    const rows = raw.slice(0, q.limit).reverse().map((r) => feedRow(toRow(actor, r)));
    return { rows, newer: more ? rows[0]!.cursor : null, older: rows.length > 0 ? rows[rows.length - 1]!.cursor : q.after };
  }
  const raw = await fetchRows(keysetSql(accountId, q, now, "desc", q.before, q.limit + 1), "desc");
  const more = raw.length > q.limit;
  const rows = raw.slice(0, q.limit).map((r) => feedRow(toRow(actor, r)));
  return { rows, newer: q.before ? (rows[0]?.cursor ?? q.before) : null, older: more ? rows[rows.length - 1]!.cursor : null };
}

/** How many matching events are newer than `since` (a cursor), counting at most `cap`: the "N new events" indicator. */
export async function countNewerEvents(actor: Actor, q: Filters, since: string, cap = 100, now = new Date()): Promise<number> {
  const [row] = await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM (${keysetSql(actor.account.id, q, now, "asc", since, cap)}) k`;
  return row?.n ?? 0;
}

/** One event of the actor's account with every field (null if unknown or another account's). */
export async function getEvent(actor: Actor, id: string): Promise<EventDetail | null> {
  const [row] = await db().$queryRaw<RawRow[]>`
    SELECT e.id, e.type, e.source, e.created_at, e.principal_id, p.name AS principal_name, p.kind::text AS principal_kind,
           p.deleted_at AS principal_deleted_at, e.subject_id, e.subject_name, e.subject_kind, e.bot_id, e.credential_id,
           e.credential_display, e.ip, e.user_agent, e.data, b.name AS bot_name, b.deleted_at AS bot_deleted_at
    FROM events e JOIN principals p ON p.id = e.principal_id
    LEFT JOIN principals b ON b.id = e.bot_id AND b.account_id = e.account_id
    WHERE e.id = ${id} AND e.account_id = ${actor.account.id}`;
  return row ? toRow(actor, row) : null;
}

/**
 * Every matching event, newest first, in keyset batches of `batch` rows (for
 * the export): at most one batch is in memory, and events that arrive while it
 * runs are not included (they are newer than the first row). `startBefore`
 * (a cursor) starts below it: cursorBefore(t) for "what existed before t".
 */
export async function* streamEvents(actor: Actor, q: Filters, batch = 1000, now = new Date(), startBefore?: string): AsyncGenerator<EventDetail[]> {
  let cursor: string | undefined = startBefore;
  for (;;) {
    const raw = await fetchRows(keysetSql(actor.account.id, q, now, "desc", cursor, batch), "desc");
    if (raw.length === 0) return;
    const rows = raw.map((r) => toRow(actor, r));
    yield rows;
    if (raw.length < batch) return;
    cursor = rows[rows.length - 1]!.cursor;
  }
}

/** A cursor that comes after every event created before `at` (and before every one created at `at` or later). */
export function cursorBefore(at: Date): string {
  return `${at.getTime() - 1}.ev_${"z".repeat(40)}`;
}
