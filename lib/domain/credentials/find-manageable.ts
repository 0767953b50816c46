import type { Actor } from "@/lib/domain/access/types";
import type { Prisma } from "@/lib/db/generated/client";
import { canManage } from "@/lib/domain/permissions";

/**
 * The credentials of the actor's account that the actor may change: every live
 * one for admins, only their own for members. Others are absent, exactly like
 * unknown ids.
 */
export function manageableCredentials(actor: Actor, ids: string[]): Prisma.CredentialWhereInput {
  return {
    id: { in: ids },
    accountId: actor.account.id,
    revokedAt: null,
    ...(canManage(actor) ? {} : { ownerId: actor.principal.id }),
  };
}
