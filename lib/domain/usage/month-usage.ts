import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import type { Actor } from "@/lib/domain/access/types";
import { canManage } from "@/lib/domain/permissions";
import { QUOTA_METRICS } from "@/lib/domain/quotas/plan-quotas";
import { metricSql, usagePrincipal, visibleUsageSql, zeroMetrics, type MetricValues, type UsagePrincipal } from "./month";
import { usageWritten } from "@/lib/domain/usage/usage-meter";

export interface UsageTotals {
  sessions: number;
  endpoints: number;
  bytesIn: number;
  bytesOut: number;
  tunnelRequests: number;
  apiRequests: number;
}

export interface PrincipalUsage extends UsageTotals {
  principal: UsagePrincipal;
  /** Where this row sits in the order, for the next page's `after` or the previous page's `before`. */
  cursor: string;
}

/** The most rows one page of principals holds (the API's limit). */
export const USAGE_PAGE_MAX = 100;

/**
 * The order of every usage list: most bandwidth first, then most API
 * requests, then by id. A cursor is a row's place in it,
 * `<bandwidth>.<api requests>.<principal id>`.
 */
const CURSOR = /^(\d{1,19})\.(\d{1,19})\.([A-Za-z0-9_]{1,64})$/;
const cursorOf = (bandwidth: bigint, apiRequests: bigint, principalId: string) => `${bandwidth}.${apiRequests}.${principalId}`;

/** A cursor's parts, or null for anything that is not one (a stale or forged link starts from the top). */
export function parseUsageCursor(raw: string | null | undefined): { bandwidth: bigint; apiRequests: bigint; principalId: string } | null {
  const m = raw ? CURSOR.exec(raw) : null;
  if (!m) return null;
  const bandwidth = BigInt(m[1]!);
  const apiRequests = BigInt(m[2]!);
  return bandwidth < 2n ** 63n && apiRequests < 2n ** 63n ? { bandwidth, apiRequests, principalId: m[3]! } : null;
}

/** The row's sort key (ascending = the lists' order) against a cursor's, on usage_monthly aliased m. */
function keyVersus(cursor: string, op: "<" | "<=" | ">"): Prisma.Sql {
  const c = parseUsageCursor(cursor)!;
  return Prisma.sql`(-(m.bytes_in + m.bytes_out), -m.api_requests, m.principal_id COLLATE "C") ${Prisma.raw(op)} (${-c.bandwidth}::bigint, ${-c.apiRequests}::bigint, ${c.principalId}::text COLLATE "C")`;
}

export interface PageRow {
  principal_id: string;
  name: string | null;
  kind: string | null;
  deleted: boolean | null;
  sessions: bigint;
  endpoints: bigint;
  bytes_in: bigint;
  bytes_out: bigint;
  tunnel_requests: bigint;
  api_requests: bigint;
}

export interface MonthUsagePage {
  rows: PrincipalUsage[];
  /** Cursors for the previous and next pages (`before` the first row, `after` the last); null where there is none. */
  before: string | null;
  after: string | null;
}

export interface PageOptions {
  month: string;
  after?: string | null;
  before?: string | null;
  limit: number;
  principalId?: string;
}

/** A page request made safe: the limit bounded, a cursor that is not one dropped (a stale or forged link starts from the top). */
export function pageRequest(opts: PageOptions) {
  const limit = Math.min(Math.max(1, Math.trunc(opts.limit)), USAGE_PAGE_MAX);
  const after = parseUsageCursor(opts.after) ? opts.after! : null;
  const before = !after && parseUsageCursor(opts.before) ? opts.before! : null;
  return { limit, after, before };
}

/** The lists' order over a row's keys (`bw` = bytes in + out), forwards or, for a page `before` a cursor, backwards. */
export const orderSql = (bw: Prisma.Sql, alias: string, backwards: boolean): Prisma.Sql => {
  const a = Prisma.raw(alias);
  return backwards
    ? Prisma.sql`${bw} ASC, ${a}.api_requests ASC, ${a}.principal_id COLLATE "C" DESC`
    : Prisma.sql`${bw} DESC, ${a}.api_requests DESC, ${a}.principal_id COLLATE "C" ASC`;
};

/**
 * The statement of one page (pageRequest) plus one row, in the order the page
 * is read in (backwards for `before`), with each row's `bw`. The top-N sort
 * carries only the order's keys; the page's rows are then read by primary key.
 */
export function pageSql(actor: Actor, opts: PageOptions): Prisma.Sql {
  const { limit, after, before } = pageRequest(opts);
  const backwards = before !== null;
  return Prisma.sql`
    SELECT k.principal_id, p.name, p.kind::text AS kind, p.deleted_at IS NOT NULL AS deleted,
           m.sessions, m.endpoints, m.bytes_in, m.bytes_out, m.tunnel_requests, m.api_requests, k.bw
    FROM (
      SELECT m.principal_id, m.bytes_in + m.bytes_out AS bw, m.api_requests FROM usage_monthly m
      WHERE m.account_id = ${actor.account.id} AND m.month = ${opts.month}::date AND ${visibleUsageSql(actor, "m")}
        ${opts.principalId ? Prisma.sql`AND m.principal_id = ${opts.principalId}` : Prisma.empty}
        ${after ? Prisma.sql`AND ${keyVersus(after, ">")}` : Prisma.empty}
        ${before ? Prisma.sql`AND ${keyVersus(before, "<")}` : Prisma.empty}
      ORDER BY ${orderSql(Prisma.sql`(m.bytes_in + m.bytes_out)`, "m", backwards)}
      LIMIT ${limit + 1}
    ) k
    JOIN usage_monthly m ON m.account_id = ${actor.account.id} AND m.month = ${opts.month}::date AND m.principal_id = k.principal_id
    LEFT JOIN principals p ON p.id = k.principal_id`;
}

/** The page from pageSql's rows (in its order); null when the cursor led back to the top or past the end, where the first page is shown instead. */
export function pageOf(rows: PageRow[], opts: PageOptions): MonthUsagePage | null {
  const { limit, after, before } = pageRequest(opts);
  const backwards = before !== null;
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  if (backwards) shown.reverse();
  // Back at the top (or past the end): the first page, full, as a link to it would show it.
  if ((backwards && !more) || (after && shown.length === 0)) return null;
  const view = shown.map(toUsage);
  return {
    rows: view,
    before: backwards ? (more ? view[0]!.cursor : null) : after && view[0] ? view[0].cursor : null,
    after: backwards ? (view.at(-1)?.cursor ?? null) : more ? view.at(-1)!.cursor : null,
  };
}

/**
 * One page of the month's usage per principal the actor may see
 * (visibleUsageSql), in the lists' order, from usage_monthly: `after` a
 * cursor (or from the top), or the page `before` one. At most
 * USAGE_PAGE_MAX rows, whatever the account's size: one range of the
 * account's month (one row per principal) and a top-N sort.
 */
export async function monthUsagePage(actor: Actor, opts: PageOptions): Promise<MonthUsagePage> {
  await usageWritten(); // what this process counted and has not written yet, too
  const backwards = pageRequest(opts).before !== null;
  const rows = await db().$queryRaw<PageRow[]>`${pageSql(actor, opts)} ORDER BY ${orderSql(Prisma.sql`k.bw`, "k", backwards)}`;
  return pageOf(rows, opts) ?? monthUsagePage(actor, { ...opts, before: null, after: null });
}

function toUsage(r: PageRow): PrincipalUsage {
  return {
    principal: usagePrincipal(r.principal_id, r.name, r.kind, r.deleted),
    sessions: Number(r.sessions),
    endpoints: Number(r.endpoints),
    bytesIn: Number(r.bytes_in),
    bytesOut: Number(r.bytes_out),
    tunnelRequests: Number(r.tunnel_requests),
    apiRequests: Number(r.api_requests),
    cursor: cursorOf(r.bytes_in + r.bytes_out, r.api_requests, r.principal_id),
  };
}

export const metricsOf = (u: UsageTotals): MetricValues => ({
  sessions: u.sessions,
  endpoints: u.endpoints,
  bandwidth: u.bytesIn + u.bytesOut,
  apiRequests: u.apiRequests,
});

export interface MonthSummary {
  plan: string;
  quotasStored: unknown;
  /** The whole account's month (everyone, whoever looks): the meters. */
  account: UsageTotals;
  /** The same over the principals the actor may see: the API's total. */
  visible: UsageTotals;
  /** How many principals the actor may see have usage this month. */
  principals: number;
  /** How many of them sort before the cursor given (inclusive or not): where a page starts. */
  ahead: number;
  /** Per metric: how many visible principals used it, for the chart's "N others". */
  users: MetricValues;
}

const TOTALS = ["sessions", "endpoints", "bytes_in", "bytes_out", "tunnel_requests", "api_requests"] as const;
const totalsOf = (row: Record<string, bigint>, prefix: string): UsageTotals => ({
  sessions: Number(row[`${prefix}sessions`]),
  endpoints: Number(row[`${prefix}endpoints`]),
  bytesIn: Number(row[`${prefix}bytes_in`]),
  bytesOut: Number(row[`${prefix}bytes_out`]),
  tunnelRequests: Number(row[`${prefix}tunnel_requests`]),
  apiRequests: Number(row[`${prefix}api_requests`]),
});

/**
 * The account's plan and stored quotas, and its month's totals, counts and a
 * page's position, in ONE statement over the account's usage_monthly rows
 * (one per principal with usage that month). Whom the actor may see is
 * decided once per row; for an admin it is everyone, and nothing is summed twice.
 */
export async function monthSummary(actor: Actor, opts: SummaryOptions): Promise<MonthSummary> {
  await usageWritten(); // what this process counted and has not written yet, too
  const [row] = await db().$queryRaw<SummaryRow[]>`${summarySql(actor, opts)}`;
  return summaryOf(actor, opts, row);
}

interface SummaryOptions {
  month: string;
  position?: { cursor: string; inclusive: boolean } | null;
  principalId?: string;
}

type SummaryRow = Record<string, bigint> & { plan: string; quotas: unknown };

const everyoneFor = (actor: Actor, opts: SummaryOptions) => canManage(actor) && !opts.principalId;

/** monthSummary's statement: one row. */
function summarySql(actor: Actor, opts: SummaryOptions): Prisma.Sql {
  const everyone = everyoneFor(actor, opts);
  const visible = everyone
    ? Prisma.sql`TRUE`
    : Prisma.sql`${visibleUsageSql(actor, "m")} ${opts.principalId ? Prisma.sql`AND m.principal_id = ${opts.principalId}` : Prisma.empty}`;
  const position = opts.position && parseUsageCursor(opts.position.cursor) ? keyVersus(opts.position.cursor, opts.position.inclusive ? "<=" : "<") : null;
  const sums = (filter: Prisma.Sql, prefix: string) =>
    Prisma.join(TOTALS.map((c) => Prisma.sql`COALESCE(sum(m.${Prisma.raw(c)}) ${filter}, 0)::bigint AS ${Prisma.raw(`${prefix}${c}`)}`));
  const onlyVisible = everyone ? Prisma.empty : Prisma.sql`FILTER (WHERE m.vis)`;
  const and = everyone ? Prisma.empty : Prisma.sql`m.vis AND`;
  const users = Prisma.join(QUOTA_METRICS.map((metric) => Prisma.sql`count(*) FILTER (WHERE ${and} ${metricSql("m", metric)} > 0) AS ${Prisma.raw(`"users_${metric}"`)}`));
  return Prisma.sql`
    SELECT a.plan, a.quotas, s.*
    FROM accounts a, LATERAL (
      SELECT ${sums(Prisma.empty, "a_")}, ${everyone ? Prisma.sql`0 AS no_visible_sums` : sums(onlyVisible, "v_")},
             count(*) ${onlyVisible} AS principals,
             ${position ? Prisma.sql`count(*) FILTER (WHERE ${and} ${position})` : Prisma.sql`0::bigint`} AS ahead, ${users}
      FROM (SELECT m.*, ${visible} AS vis FROM usage_monthly m WHERE m.account_id = a.id AND m.month = ${opts.month}::date) m
    ) s
    WHERE a.id = ${actor.account.id}`;
}

function summaryOf(actor: Actor, opts: SummaryOptions, row: SummaryRow | undefined): MonthSummary {
  if (!row) throw new Error(`monthSummary: no account ${actor.account.id}`);
  const usersOf = zeroMetrics();
  for (const metric of QUOTA_METRICS) usersOf[metric] = Number(row[`users_${metric}`]);
  const account = totalsOf(row, "a_");
  return {
    plan: row.plan,
    quotasStored: row.quotas,
    account,
    visible: everyoneFor(actor, opts) ? account : totalsOf(row, "v_"),
    principals: Number(row.principals),
    ahead: Number(row.ahead),
    users: usersOf,
  };
}
