import { db } from "@/lib/db/client";
import { activeMembershipWhere } from "@/lib/domain/principals/active-in-account";

/**
 * Whether the person is active in at least one account (the one active-in-account
 * rule, in any account): without that, nobody may sign in, whatever the provider.
 */
export async function hasActiveMembership(principalId: string): Promise<boolean> {
  return (await db().membership.count({ where: { principalId, ...activeMembershipWhere() } })) > 0;
}
