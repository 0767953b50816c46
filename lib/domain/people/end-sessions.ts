import type { Prisma } from "@/lib/db/generated/client";
import { db } from "@/lib/db/client";

/**
 * Ends every session a person has open, on every device: each session carries
 * the session version it was issued under and the gate refuses older ones on
 * their next request. Call it inside the transaction of the change that ends
 * them (deactivation, removal, password change). Returns the new version.
 */
export async function endSessions(tx: Pick<Prisma.TransactionClient, "principal">, personId: string): Promise<number> {
  const { sessionVersion } = await tx.principal.update({
    where: { id: personId },
    data: { sessionVersion: { increment: 1 } },
    select: { sessionVersion: true },
  });
  return sessionVersion;
}

/**
 * Signing out ends the session everywhere, not only in this browser: a copy of
 * the cookie taken before must not outlive it. Not an event: like signing in
 * (kept as "last sign-in"), it changes nothing anyone else sees.
 */
export function signOutEverywhere(actor: { principal: { id: string } }): Promise<number> {
  return endSessions(db(), actor.principal.id);
}
