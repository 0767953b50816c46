import type { Prisma } from "@/lib/db/generated/client";
import { lockPrincipal, type LockedPrincipal } from "@/lib/domain/principals/lock-principal";

/**
 * Locks the principal a new credential would belong to and says whether it may
 * get one: a live bot of the account (a deactivated bot may: its credentials
 * stay suspended until it is reactivated), or a person active in the account.
 * Null otherwise (unknown, another account's, deleted, removed or deactivated
 * person), so callers answer all of these alike. Creation and rotation both
 * call this inside their transaction, before writing: a concurrent bot deletion
 * or person removal then either finishes first (and this returns null) or waits
 * for the new credential and deals with it.
 */
export async function lockCredentialOwner(tx: Prisma.TransactionClient, accountId: string, ownerId: string): Promise<LockedPrincipal | null> {
  const owner = await lockPrincipal(tx, accountId, ownerId);
  if (!owner || !owner.ofAccount || owner.standing === "deleted") return null;
  if (owner.kind === "person" && owner.standing !== "active") return null;
  return owner;
}
