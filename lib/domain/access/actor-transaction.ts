import { Prisma } from "@/lib/db/generated/client";
import { db } from "@/lib/db/client";
import { DEADLOCK_DETECTED, sqlStateOf } from "@/lib/db/sqlstate";
import { ROLES_BY_RANK, roleRank } from "@/lib/domain/permissions";
import { fail, type Result } from "@/lib/domain/result";
import { standingSql, type Standing } from "@/lib/domain/principals/active-in-account";
import type { Actor } from "./types";

type Tx = Prisma.TransactionClient;

/**
 * THE rule "a change is made by an actor who is still allowed to make it when
 * it commits". An actor is admitted at the start of a request (session check,
 * credential verification), but its transaction commits later; a deactivation,
 * a deletion, a removal, a role change or a password reset committed in
 * between must win:
 *
 * - every mutation an actor makes runs in `actorTransaction`, whose first
 *   statement takes a SHARED advisory lock on the actor ("standing fence");
 * - the one step that changes someone's standing (changeStanding,
 *   lib/domain/principals/change-standing.ts) needs the EXCLUSIVE lock on each
 *   principal it changes, so it waits until every transaction those principals
 *   have in flight has ended, and none of theirs starts meanwhile. The lock
 *   must come first in the transaction (taken after row locks, it could wait
 *   for a transaction that waits for those rows): `fence` takes it first for
 *   the principals a caller names, and when the step finds a principal of its
 *   change unfenced, the transaction rolls back and starts over with that
 *   principal fenced first. So no caller can forget it; naming them up front
 *   only saves that one rolled-back attempt, and makes writes of theirs that
 *   arrive while the change waits for other locks wait too;
 * - after the lock, the actor's standing and role are read again by a later
 *   statement (a fresh snapshot under READ COMMITTED): fused into the event the
 *   mutation records (recordActorEvent), or on its own before commit when it
 *   recorded none. A changed standing rolls the whole transaction back and
 *   answers as if the request had come after the change.
 *
 * A body that answers `{ ok: false }` rolls back everything it wrote: a refusal
 * commits nothing (a refusal worth recording is recorded by the caller
 * afterwards, in a transaction of its own: see bindEndpoint).
 *
 * So a write either commits before the change that ends its actor's standing,
 * or is refused. Advisory locks, not row locks, because shared row locks would
 * be written into the principal's row on every mutation and would starve the
 * exclusive locker behind a steady stream of share lockers (a bot with 50
 * requests in flight); PostgreSQL's lock manager queues them fairly, so a
 * waiting fence also holds back new share lockers. Two changes fencing each
 * other's actors (two owners deactivating each other at once) deadlock;
 * PostgreSQL breaks the cycle (SQLSTATE 40P01) and the loser is retried, which
 * then sees the winner's change.
 */
export async function actorTransaction<T>(
  actor: Pick<Actor, "account" | "principal" | "role" | "source">,
  body: (tx: Tx) => Promise<Result<T>>,
  opts: { fence?: string[] } = {},
): Promise<Result<T>> {
  let fence = opts.fence ?? [];
  for (let attempt = 1, restarts = 0; ; ) {
    try {
      return await db().$transaction(async (tx) => {
        await holdStanding(tx, actor.principal.id, fence);
        const result = await body(tx);
        if (!result.ok) throw new Refused(result);
        if (!checked.has(tx)) await assertStanding(tx, actor);
        return result;
      });
    } catch (error) {
      if (error instanceof Refused) return error.result;
      if (error instanceof StandingLost) return standingLostResult(error.reason);
      // The step that changes standing found principals unfenced: start over with them fenced first.
      if (error instanceof FenceFirst && restarts++ < MAX_ATTEMPTS) {
        fence = [...fence, ...error.principalIds];
        continue;
      }
      if (attempt++ < MAX_ATTEMPTS && isDeadlock(error)) continue;
      throw error;
    }
  }
}

/** Carries a body's refusal out of its transaction, which then rolls back. */
class Refused extends Error {
  constructor(readonly result: Extract<Result<unknown>, { ok: false }>) {
    super(`refused: ${result.code}`);
  }
}

/** Thrown by requireFence: these principals' standing changes in a transaction that has not fenced them. */
class FenceFirst extends Error {
  constructor(readonly principalIds: string[]) {
    super("the standing fence must be taken first");
  }
}

/** Per transaction: whose standing fence it holds (the actor's shared lock, the exclusive ones). */
const fences = new WeakMap<object, { actorId: string; exclusive: ReadonlySet<string> }>();

/**
 * Called by the step that changes principals' standing (changeStanding) before
 * it writes: returns when this transaction holds the exclusive fence on each of
 * them; otherwise the transaction rolls back and actorTransaction starts it
 * over with them fenced first. Outside an actorTransaction it throws: a
 * principal's standing is only ever changed by an actor.
 */
export function requireFence(tx: object, principalIds: readonly string[]): void {
  const held = fences.get(tx);
  if (!held) throw new Error("A principal's standing changes only inside an actorTransaction (lib/domain/access/actor-transaction.ts).");
  // Nobody fences themselves (self-deactivation and self-removal are refused before this).
  const missing = principalIds.filter((id) => id !== held.actorId && !held.exclusive.has(id));
  if (missing.length > 0) throw new FenceFirst([...new Set(missing)]);
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
  fences.set(tx, { actorId, exclusive: new Set(fence) });
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

/**
 * The least role rank (roleRank) the actor must still hold when its change
 * commits: the rank it was admitted with, for a person in the dashboard or the
 * API (what they may do depends on it); 0 for a bot (it always acts as a
 * member) and for an agent (an agent's calls never depend on its owner's role).
 * A raised role never refuses anything.
 */
export function requiredRoleRank(actor: Pick<Actor, "principal" | "role" | "source">): number {
  return actor.principal.kind === "person" && actor.source !== "agent" ? roleRank(actor.role) : 0;
}

/** roleRank in SQL, of the column `standing.role` (text, null for a bot): the same ranking, passed in as its list. */
export const roleRankSql = Prisma.sql`COALESCE(array_position(${ROLES_BY_RANK}::text[], standing.role), 0)`;

/** Judges a standing read after the fence: null when the actor may go on, else why not. */
export function standingLoss(
  actor: Pick<Actor, "principal" | "role" | "source">,
  row: { standing: Standing; role: string | null } | undefined,
): StandingLossReason | null {
  if (!row) return "deleted";
  if (row.standing !== "active") return row.standing;
  if (roleRank(row.role) < requiredRoleRank(actor)) return "role_changed";
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

/** PostgreSQL aborted the transaction to break a deadlock: by SQLSTATE, which every layer keeps (its message text is not kept). */
function isDeadlock(error: unknown): boolean {
  return sqlStateOf(error) === DEADLOCK_DETECTED;
}
