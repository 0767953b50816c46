import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { canManage } from "@/lib/domain/permissions";

const DAY = 86_400_000;
export const INACTIVE_DAYS = 90;
export const UNUSED_DAYS = 90;
export const EXPIRING_DAYS = 7;
/** How many names each insight lists (the count is exact). */
const SAMPLE = 5;

export interface Insight {
  count: number;
  /** The first few, oldest or soonest first. */
  items: { id: string; name: string; at: Date | null }[];
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
  at: Date | null;
  total: bigint;
}

const toInsight = (rows: Row[]): Insight => ({ count: Number(rows[0]?.total ?? 0), items: rows.map((r) => ({ id: r.id, name: r.name, at: r.at })) });

/**
 * What needs attention in the actor's account, for owners and admins (members
 * get null: these are lists of other people's and bots' credentials). "Use"
 * is what the app records as real use: last_activity_at is written by accepted
 * requests and recorded actions only (a refused sign-in or credential writes
 * neither; see recordEvent's `activity` and markCredentialUsed), and
 * last_used_at only by an accepted credential. Deactivated bots and revoked or
 * expired credentials are left out: nothing to act on. Each query walks one
 * index range: principals (account_id, kind, last_activity_at), and the
 * partial live-credential indexes on (account_id, last_used_at) and
 * (account_id, expires_at).
 */
export async function getInsights(actor: Actor, now: Date = new Date()): Promise<Insights | null> {
  if (!canManage(actor)) return null;
  const accountId = actor.account.id;
  const inactiveBefore = new Date(now.getTime() - INACTIVE_DAYS * DAY);
  const unusedBefore = new Date(now.getTime() - UNUSED_DAYS * DAY);
  const soon = new Date(now.getTime() + EXPIRING_DAYS * DAY);
  const [inactiveBots, neverUsed, unused, expiring] = await Promise.all([
    db().$queryRaw<Row[]>`
      SELECT id, name, last_activity_at AS at, count(*) OVER () AS total FROM principals
      WHERE account_id = ${accountId} AND kind = 'bot' AND deleted_at IS NULL AND status = 'active'
        AND (last_activity_at < ${inactiveBefore} OR (last_activity_at IS NULL AND created_at < ${inactiveBefore}))
      ORDER BY last_activity_at ASC NULLS FIRST, id LIMIT ${SAMPLE}`,
    db().$queryRaw<Row[]>`
      SELECT c.id, COALESCE(NULLIF(c.description, ''), c.kind::text) || ' · ' || p.name AS name, c.created_at AS at, count(*) OVER () AS total
      FROM credentials c JOIN principals p ON p.id = c.owner_id
      WHERE c.account_id = ${accountId} AND c.revoked_at IS NULL AND c.last_used_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > ${now})
      ORDER BY c.created_at, c.id LIMIT ${SAMPLE}`,
    db().$queryRaw<Row[]>`
      SELECT c.id, COALESCE(NULLIF(c.description, ''), c.kind::text) || ' · ' || p.name AS name, c.last_used_at AS at, count(*) OVER () AS total
      FROM credentials c JOIN principals p ON p.id = c.owner_id
      WHERE c.account_id = ${accountId} AND c.revoked_at IS NULL AND c.last_used_at < ${unusedBefore} AND (c.expires_at IS NULL OR c.expires_at > ${now})
      ORDER BY c.last_used_at, c.id LIMIT ${SAMPLE}`,
    db().$queryRaw<Row[]>`
      SELECT c.id, COALESCE(NULLIF(c.description, ''), c.kind::text) || ' · ' || p.name AS name, c.expires_at AS at, count(*) OVER () AS total
      FROM credentials c JOIN principals p ON p.id = c.owner_id
      WHERE c.account_id = ${accountId} AND c.revoked_at IS NULL AND c.expires_at > ${now} AND c.expires_at <= ${soon}
      ORDER BY c.expires_at, c.id LIMIT ${SAMPLE}`,
  ]);
  return { inactiveBots: toInsight(inactiveBots), neverUsed: toInsight(neverUsed), unused: toInsight(unused), expiring: toInsight(expiring) };
}
