import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import type { Actor } from "@/lib/domain/access/types";
import { canManage } from "@/lib/domain/permissions";

const DAY = 86_400_000;
export const INACTIVE_DAYS = 90;
export const UNUSED_DAYS = 90;
export const EXPIRING_DAYS = 7;
/** How many names each insight lists. */
const SAMPLE = 5;
/** Counts stop here (shown as "1,000+"): an account with more has a policy problem, not a list to read. */
export const COUNT_CAP = 1000;

export interface Insight {
  count: number;
  /** The count reached COUNT_CAP: there are at least that many. */
  capped: boolean;
  /** The first few, oldest or soonest first; a credential's `name` is its description (or kind), with its `owner`'s name. */
  items: { id: string; name: string; owner?: string; at: Date | null }[];
}

export interface Insights {
  /** Live bots with no activity for 90 days (none at all, when made more than 90 days ago). */
  inactiveBots: Insight;
  /** Live credentials never used. */
  neverUsed: Insight;
  /** Live credentials last used more than 90 days ago. */
  unused: Insight;
  /** Live credentials expiring within 7 days. */
  expiring: Insight;
}

interface Row {
  id: string;
  name: string;
  owner?: string;
  at: Date | null;
}


/**
 * What needs attention in the actor's account, for owners and admins (members
 * get null: these are lists of other people's and bots' credentials). "Use"
 * is what the app records as real use: last_activity_at is written by accepted
 * requests and recorded actions only (a refused sign-in or credential writes
 * neither; see recordEvent's `activity` and markCredentialUsed), and
 * last_used_at only by an accepted credential. Deactivated bots and revoked or
 * expired credentials are left out: nothing to act on. Each query walks one
 * partial index range, and counts read the index alone (capped at
 * COUNT_CAP): principals_idle_bots_idx, and the live-credential indexes on
 * (account_id, last_used_at, expires_at) and (account_id, expires_at).
 */
export async function getInsights(actor: Actor, now: Date = new Date()): Promise<Insights | null> {
  if (!canManage(actor)) return null;
  const accountId = actor.account.id;
  const inactiveBefore = new Date(now.getTime() - INACTIVE_DAYS * DAY);
  const unusedBefore = new Date(now.getTime() - UNUSED_DAYS * DAY);
  const soon = new Date(now.getTime() + EXPIRING_DAYS * DAY);
  const idleBots = Prisma.sql`FROM principals
      WHERE account_id = ${accountId} AND kind = 'bot' AND deleted_at IS NULL AND status = 'active'
        AND (last_activity_at < ${inactiveBefore} OR (last_activity_at IS NULL AND created_at < ${inactiveBefore}))`;
  const live = Prisma.sql`c.account_id = ${accountId} AND c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > ${now})`;
  const never = Prisma.sql`FROM credentials c WHERE ${live} AND c.last_used_at IS NULL`;
  const stale = Prisma.sql`FROM credentials c WHERE ${live} AND c.last_used_at < ${unusedBefore}`;
  const soonWhere = Prisma.sql`FROM credentials c WHERE c.account_id = ${accountId} AND c.revoked_at IS NULL AND c.expires_at > ${now} AND c.expires_at <= ${soon}`;
  const named = (from: Prisma.Sql, at: Prisma.Sql, order: Prisma.Sql) => db().$queryRaw<Row[]>`
      SELECT c.id, COALESCE(NULLIF(c.description, ''), c.kind::text) AS name, p.name AS owner, ${at} AS at
      FROM (SELECT c.* ${from} ORDER BY ${order} LIMIT ${SAMPLE}) c JOIN principals p ON p.id = c.owner_id
      ORDER BY ${order}`;
  const [inactiveBots, neverUsed, unused, expiring, counts] = await Promise.all([
    db().$queryRaw<Row[]>`SELECT id, name, last_activity_at AS at ${idleBots} ORDER BY last_activity_at ASC NULLS FIRST, id LIMIT ${SAMPLE}`,
    named(never, Prisma.sql`c.created_at`, Prisma.sql`c.created_at, c.id`),
    named(stale, Prisma.sql`c.last_used_at`, Prisma.sql`c.last_used_at, c.id`),
    named(soonWhere, Prisma.sql`c.expires_at`, Prisma.sql`c.expires_at, c.id`),
    // Counts from the partial indexes alone, each stopping at COUNT_CAP rows.
    db().$queryRaw<{ bots: bigint; never: bigint; stale: bigint; soon: bigint }[]>`SELECT
      (SELECT count(*) FROM (SELECT 1 ${idleBots} LIMIT ${COUNT_CAP}) x) AS bots,
      (SELECT count(*) FROM (SELECT 1 ${never} LIMIT ${COUNT_CAP}) x) AS never,
      (SELECT count(*) FROM (SELECT 1 ${stale} LIMIT ${COUNT_CAP}) x) AS stale,
      (SELECT count(*) FROM (SELECT 1 ${soonWhere} LIMIT ${COUNT_CAP}) x) AS soon`,
  ]);
  const c = counts[0]!;
  const toInsight = (rows: Row[], n: bigint): Insight => ({ count: Number(n), capped: Number(n) >= COUNT_CAP, items: rows.map((r) => ({ id: r.id, name: r.name, ...(r.owner === undefined ? {} : { owner: r.owner }), at: r.at })) });
  return {
    inactiveBots: toInsight(inactiveBots, c.bots),
    neverUsed: toInsight(neverUsed, c.never),
    unused: toInsight(unused, c.stale),
    expiring: toInsight(expiring, c.soon),
  };
}
