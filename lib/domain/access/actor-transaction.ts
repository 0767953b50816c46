import { Prisma } from "@/lib/db/generated/client";
import { db } from "@/lib/db/client";
import { fail, type Result } from "@/lib/domain/result";
import { standingSql, type Standing } from "@/lib/domain/principals/active-in-account";
import type { Actor } from "./types";

type Tx = Prisma.TransactionClient;

/**
 * THE rule "a change is made by an actor who is still allowed to make it when
 * it commits". An actor is admitted at the start of a request (session check,
 * credential verification), but its transaction commits later; a deactivation,
 * a deletion, a removal or a role change committed in between must win:
 *
 * - every mutation an actor makes runs in `actorTransaction`, whose first
 *   statement takes a SHARED advisory lock on the actor ("standing fence");
 * - every change of someone's standing (deactivate, delete, remove, change role)
 *   passes the principals it changes as `fence`, which takes the EXCLUSIVE lock
 *   on each of them first, so it waits until every transaction those
 *   principals have in flight has ended, and none of theirs starts meanwhile;
 * - after the lock, the actor's standing and role are read again by a later
 *   statement (a fresh snapshot under READ COMMITTED): fused into the event the
 *   mutation records (recordActorEvent), or on its own before commit when it
 *   recorded none. A changed standing rolls the whole transaction back and
 *   answers as if the request had come after the change.
 *
 * So a write either commits before the change that ends its actor's standing,
 * or is refused. Advisory locks, not row locks, because shared row locks would
 * be written into the principal's row on every mutation and would starve the
 * exclusive locker behind a steady stream of share lockers (a bot with 50
 * requests in flight); PostgreSQL's lock manager queues them fairly, so a
 * waiting fence also holds back new share lockers. Two changes fencing each
 * other's actors (two owners deactivating each other at once) deadlock;
 * PostgreSQL breaks the cycle and the loser is retried, which then sees the
 * winner's change.
 */
export async function actorTransaction<T>(
  actor: Pick<Actor, "account" | "principal" | "role" | "source">,
  body: (tx: Tx) => Promise<Result<T>>,
  opts: { fence?: string[] } = {},
): Promise<Result<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db().$transaction(async (tx) => {
        await holdStanding(tx, actor.principal.id, opts.fence ?? []);
        const result = await body(tx);
        if (result.ok && !checked.has(tx)) await assertStanding(tx, actor);
        return result;
      });
    } catch (error) {
      if (error instanceof StandingLost) return standingLostResult(error.reason);
      if (attempt < MAX_ATTEMPTS && isDeadlock(error)) continue;
      throw error;
    }
  }
}

const MAX_ATTEMPTS = 3;

/** The advisory-lock class (first int4 key) of standing fences; the second key is a hash of the principal's id. */
export const STANDING_LOCK_CLASS = 0x42445354; // "BDST"

/** A 32-bit FNV-1a hash of a principal's id, as a signed int4 (the advisory lock's second key). */
export function standingLockKey(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

async function holdStanding(tx: Tx, actorId: string, fence: string[]): Promise<void> {
  await tx.$queryRaw`/* prepared */ SELECT pg_advisory_xact_lock_shared(${STANDING_LOCK_CLASS}::int4, ${standingLockKey(actorId)}::int4)::text AS held`;
  // Nobody fences themselves (self-deactivation and self-removal are refused before this); the keys
  // in ascending order, as every fence takes them, so two fences never wait on each other crosswise.
  const keys = [...new Set(fence.filter((id) => id !== actorId).map(standingLockKey))].sort((a, b) => a - b);
  if (keys.length > 0) {
    await tx.$queryRaw`SELECT count(*)::int AS n FROM (SELECT pg_advisory_xact_lock(${STANDING_LOCK_CLASS}::int4, k) FROM unnest(${keys}::int4[]) AS k) fenced`;
  }
}

/** Why the actor may no longer do what it was admitted for. */
export type StandingLossReason = Exclude<Standing, "active"> | "role_changed";

/** Thrown inside an actor's transaction when its standing changed since it was admitted: the transaction rolls back. */
export class StandingLost extends Error {
  constructor(readonly reason: StandingLossReason) {
    super(`the actor's standing changed: ${reason}`);
  }
}

const checked = new WeakSet<object>();

/**
 * The SQL of the standing check, for `principals p`: its standing in the
 * account, and for a person their role there (null for a bot).
 */
export function standingCheckSql(accountId: string): { standing: Prisma.Sql; role: Prisma.Sql } {
  return {
    standing: standingSql("p", accountId),
    role: Prisma.sql`(SELECT m.role::text FROM memberships m WHERE m.principal_id = p.id AND m.account_id = ${accountId})`,
  };
}

/** How much a role may do: a change that lowers it (owner → admin → member) ends what was admitted under it. */
const ROLE_RANK: Record<string, number> = { owner: 3, admin: 2, member: 1 };

/**
 * The least role rank the actor must still hold when its change commits: the
 * rank it was admitted with, for a person in the dashboard or the API (what they
 * may do depends on it); 0 for a bot (it always acts as a member) and for an
 * agent (an agent's calls never depend on its owner's role). A raised role
 * never refuses anything.
 */
export function requiredRoleRank(actor: Pick<Actor, "principal" | "role" | "source">): number {
  return actor.principal.kind === "person" && actor.source !== "agent" ? (ROLE_RANK[actor.role] ?? 0) : 0;
}

/** The SQL rank of the role column `role` (text, null for a bot): 0 when there is none. */
export const roleRankSql = Prisma.sql`(CASE standing.role WHEN 'owner' THEN 3 WHEN 'admin' THEN 2 WHEN 'member' THEN 1 ELSE 0 END)`;

/** Judges a standing read after the fence: null when the actor may go on, else why not. */
export function standingLoss(
  actor: Pick<Actor, "principal" | "role" | "source">,
  row: { standing: Standing; role: string | null } | undefined,
): StandingLossReason | null {
  if (!row) return "deleted";
  if (row.standing !== "active") return row.standing;
  if ((ROLE_RANK[row.role ?? ""] ?? 0) < requiredRoleRank(actor)) return "role_changed";
  return null;
}

/** Marks a transaction whose actor's standing a later statement has already checked (recordActorEvent). */
export function markStandingChecked(tx: object): void {
  checked.add(tx);
}

async function assertStanding(tx: Tx, actor: Pick<Actor, "account" | "principal" | "role" | "source">): Promise<void> {
  const { standing, role } = standingCheckSql(actor.account.id);
  const [row] = await tx.$queryRaw<{ standing: Standing; role: string | null }[]>`
    SELECT ${standing} AS standing, ${role} AS role FROM principals p WHERE p.id = ${actor.principal.id}`;
  const loss = standingLoss(actor, row);
  if (loss) throw new StandingLost(loss);
}

/** The answer to a change whose actor lost its standing while it ran: what it would have got a moment later. */
export function standingLostResult(reason: StandingLossReason): Result<never> {
  switch (reason) {
    case "deleted":
      return fail("actor_deleted", "This bot has been deleted; nothing was changed.");
    case "deactivated":
      return fail("actor_deactivated", "You have been deactivated in this account; nothing was changed.");
    case "role_changed":
      return fail("not_admin", "Your role in this account was lowered meanwhile; nothing was changed.");
  }
}

function isDeadlock(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${String((error as { code?: unknown }).code ?? "")}` : String(error);
  return /40P01|deadlock detected/i.test(text);
}
