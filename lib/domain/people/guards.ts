import type { Actor } from "@/lib/domain/access/types";
import type { Prisma } from "@/lib/db/generated/client";
import { seatLimitMessage } from "@/lib/domain/accounts/get-seat-usage";
import { activeMemberWhere } from "@/lib/domain/principals/active-in-account";
import { lockPrincipals } from "@/lib/domain/principals/lock-principal";
import { fail, type Result } from "@/lib/domain/result";

type Tx = Prisma.TransactionClient;

export const PERSON_NOT_FOUND = "Person not found";
export const personNotFound = (): Result<never> => fail("not_found", PERSON_NOT_FOUND);

/**
 * Locks the account row for the rest of the transaction, so seat and last-owner
 * checks of concurrent changes to the same account run one after another.
 */
export async function lockAccount(tx: Tx, accountId: string): Promise<{ seatLimit: number }> {
  const rows = await tx.$queryRaw<{ seat_limit: number }[]>`SELECT seat_limit FROM accounts WHERE id = ${accountId} FOR UPDATE`;
  const row = rows[0];
  if (!row) throw new Error(`account ${accountId} vanished`);
  return { seatLimit: row.seat_limit };
}

/** A refusal when no seat is free (call after lockAccount), else null. */
export async function refuseWithoutFreeSeat(tx: Tx, accountId: string, seatLimit: number): Promise<Result<never> | null> {
  const used = await tx.membership.count({ where: activeMemberWhere(accountId) });
  return used >= seatLimit ? fail("seat_limit", seatLimitMessage(seatLimit)) : null;
}

/** A refusal when this change would leave the account without an active owner, else null. */
export async function refuseLastOwner(tx: Tx, accountId: string, what: "demoted" | "deactivated" | "removed"): Promise<Result<never> | null> {
  const owners = await tx.membership.count({ where: { ...activeMemberWhere(accountId), role: "owner" } });
  return owners <= 1
    ? fail("last_owner", `The last owner cannot be ${what}. Make someone else an owner first.`)
    : null;
}

/** Only owners may grant the owner role or change anything about an owner. */
export function refuseUnlessOwner(actor: Actor, touchesOwner: boolean): Result<never> | null {
  return touchesOwner && actor.role !== "owner" ? fail("not_owner", "Only an owner can make someone an owner or change an owner.") : null;
}

/**
 * A person's membership of the account, read after locking the person's row
 * (see lockPrincipal): role, status and removal changes then serialize with
 * credential creation and rotation for that person, so a removed or
 * deactivated person never gets a new credential. Null when not a member.
 */
export async function findMembership(tx: Tx, accountId: string, personId: string) {
  await lockPrincipals(tx, [personId]);
  return tx.membership.findUnique({
    where: { accountId_principalId: { accountId, principalId: personId } },
    select: { role: true, status: true, principal: { select: { id: true, name: true, email: true, status: true } } },
  });
}
