import type { Prisma } from "@/lib/db/generated/client";
import { newRecoveryCodes, normalizeRecoveryCode } from "./recovery-codes";
import { recoveryCodeHash } from "./secret-box";

/**
 * Replaces the person's recovery codes with a new set, in the caller's
 * transaction: the old ones stop working the moment it commits. Returns the
 * new codes, to be shown once; only their keyed hashes are stored.
 */
export async function replaceRecoveryCodes(tx: Pick<Prisma.TransactionClient, "$executeRaw">, personId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  const hashes = codes.map((c) => recoveryCodeHash(personId, normalizeRecoveryCode(c)!));
  await tx.$executeRaw`DELETE FROM recovery_codes WHERE principal_id = ${personId}`;
  await tx.$executeRaw`INSERT INTO recovery_codes (principal_id, code_hash) SELECT ${personId}, h FROM unnest(${hashes}::text[]) AS h`;
  return codes;
}
