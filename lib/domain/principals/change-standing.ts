import type { Prisma } from "@/lib/db/generated/client";
import type { PrincipalStatus, Role } from "@/lib/db/generated/enums";
import { requireFence } from "@/lib/domain/access/actor-transaction";

/** Every write that changes what a principal may do in an account. */
export type StandingChange =
  /** Bots deactivated or reactivated (their credentials suspended or restored with them). */
  | { kind: "bots_status"; ids: string[]; status: PrincipalStatus }
  /** Bots become tombstones: deleted, deactivated, their name freed for reuse. */
  | { kind: "bots_deleted"; ids: string[]; at: Date }
  /** A person deactivated or reactivated in one account. */
  | { kind: "membership_status"; accountId: string; personId: string; status: PrincipalStatus }
  | { kind: "membership_role"; accountId: string; personId: string; role: Role }
  | { kind: "membership_removed"; accountId: string; personId: string }
  /** An admin's reset: a one-time password that only lets the person choose a new one. */
  | { kind: "password_reset"; personId: string; passwordHash: string };

/** Whose in-flight writes the change must wait for: everyone it affects, except those it only lets back in. */
function fenced(change: StandingChange): string[] {
  switch (change.kind) {
    case "bots_status":
      return change.status === "deactivated" ? change.ids : [];
    case "bots_deleted":
      return change.ids;
    case "membership_status":
      return change.status === "deactivated" ? [change.personId] : [];
    case "membership_role":
    case "membership_removed":
    case "password_reset":
      return [change.personId];
  }
}

/**
 * THE step that changes principals' standing, for every caller (bots'
 * deactivation and deletion from the dashboard and the API, people's
 * deactivation, removal, role changes and password resets): it holds the
 * standing fence on each principal it affects before it writes
 * (requireFence: the transaction starts over with them fenced first when the
 * caller did not name them), so a write of theirs either commits before the
 * change or is refused after it. Runs inside the caller's actorTransaction,
 * after its checks and row locks; records nothing (the caller records the
 * event of its change).
 */
export async function changeStanding(tx: Prisma.TransactionClient, change: StandingChange): Promise<void> {
  requireFence(tx, fenced(change));
  switch (change.kind) {
    case "bots_status":
      await tx.principal.updateMany({ where: { id: { in: change.ids }, kind: "bot" }, data: { status: change.status } });
      return;
    case "bots_deleted":
      await tx.principal.updateMany({ where: { id: { in: change.ids }, kind: "bot" }, data: { deletedAt: change.at, nameKey: null, nameSkeleton: null, nameSkeletonLower: null, status: "deactivated" } });
      return;
    case "membership_status":
      await tx.membership.update({ where: membership(change), data: { status: change.status } });
      return;
    case "membership_role":
      await tx.membership.update({ where: membership(change), data: { role: change.role } });
      return;
    case "membership_removed":
      await tx.membership.delete({ where: membership(change) });
      return;
    case "password_reset":
      await tx.principal.update({ where: { id: change.personId }, data: { passwordHash: change.passwordHash, mustChangePassword: true } });
      return;
  }
}

const membership = (c: { accountId: string; personId: string }) => ({ accountId_principalId: { accountId: c.accountId, principalId: c.personId } });
