import type { Prisma } from "@/lib/db/generated/client";
import type { Role } from "@/lib/db/generated/enums";
import { standingSql, type Standing } from "./active-in-account";

export interface LockedPrincipal {
  id: string;
  name: string;
  kind: "person" | "bot";
  /** Its standing in the account, read AFTER the lock was taken. */
  standing: Standing;
  /** A bot of the account, or a person with a membership there (of any status). */
  ofAccount: boolean;
  /** A person's role in the account (null for a bot, or a person without a membership there). */
  role: Role | null;
}

/**
 * Locks a principal's row (FOR UPDATE) for the rest of the transaction and
 * then reads its standing in the account. Every mutation of a bot, of a
 * person's membership, or of credentials on behalf of an owner takes this lock
 * first, so "delete revokes every credential" and "a removed person gets no new
 * credential" hold under any interleaving: the loser waits, then sees the
 * winner's committed change.
 *
 * The standing is read by a SECOND statement on purpose: under READ COMMITTED a
 * locking statement re-checks only the locked row after waiting, while a
 * subquery in it (the membership) would still see the snapshot from before the
 * wait. Returns null for an unknown id.
 */
export async function lockPrincipal(tx: Prisma.TransactionClient, accountId: string, principalId: string): Promise<LockedPrincipal | null> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM principals WHERE id = ${principalId} FOR UPDATE`;
  if (locked.length === 0) return null;
  const [row] = await tx.$queryRaw<{ id: string; name: string; kind: "person" | "bot"; standing: Standing; of_account: boolean; role: Role | null }[]>`
    SELECT p.id, p.name, p.kind::text AS kind, ${standingSql("p", accountId)} AS standing,
      (SELECT m.role::text FROM memberships m WHERE m.principal_id = p.id AND m.account_id = ${accountId}) AS role,
      ((p.kind = 'bot' AND p.account_id = ${accountId})
        OR EXISTS (SELECT 1 FROM memberships m WHERE m.principal_id = p.id AND m.account_id = ${accountId})) AS of_account
    FROM principals p WHERE p.id = ${principalId}`;
  if (!row) return null;
  return { id: row.id, name: row.name, kind: row.kind, standing: row.standing, ofAccount: row.of_account, role: row.role };
}

/**
 * Locks several principals' rows (FOR UPDATE) in id order, the order every
 * multi-row lock here uses, so concurrent bulk changes cannot deadlock.
 */
export async function lockPrincipals(tx: Prisma.TransactionClient, principalIds: string[]): Promise<void> {
  if (principalIds.length === 0) return;
  await tx.$queryRaw`SELECT id FROM principals WHERE id = ANY(${principalIds}::text[]) ORDER BY id FOR UPDATE`;
}
