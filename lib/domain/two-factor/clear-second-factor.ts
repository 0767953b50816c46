import type { Prisma } from "@/lib/db/generated/client";

/**
 * Deletes a person's second factor in the caller's transaction: the secret
 * (and any enrolment under way), every recovery code, and every sign-in
 * waiting for a code. True when a second factor was on.
 */
export async function clearSecondFactor(tx: Pick<Prisma.TransactionClient, "$executeRaw">, personId: string): Promise<boolean> {
  const enabled = await tx.$executeRaw`DELETE FROM two_factor WHERE principal_id = ${personId} AND enabled_at IS NOT NULL`;
  await tx.$executeRaw`DELETE FROM two_factor WHERE principal_id = ${personId}`;
  await tx.$executeRaw`DELETE FROM recovery_codes WHERE principal_id = ${personId}`;
  await tx.$executeRaw`DELETE FROM pending_sign_ins WHERE principal_id = ${personId}`;
  return enabled > 0;
}
