import { db } from "@/lib/db/client";
import type { PrincipalKind, PrincipalStatus } from "@/lib/db/generated/enums";
import { parseToken, secretMatches } from "@/lib/domain/credentials/token-format";

export interface SecretOwner {
  id: string;
  kind: PrincipalKind;
  status: PrincipalStatus;
  name: string;
  accountId: string | null;
}

/**
 * The principal owning a credential secret (authtoken, API key) that someone
 * typed where a password was expected, so the sign-in gate can record the
 * attempt against a bot. READ-ONLY, unlike `verifyCredential`: nothing is
 * being used, so "last used" stays as it was. Whether the credential is
 * revoked, expired or suspended does not matter here (the caller answers every
 * such attempt the same way), only whose secret it is.
 */
export async function ownerOfPresentedSecret(secret: string): Promise<SecretOwner | null> {
  const parsed = parseToken(secret);
  if (!parsed) return null;
  const row = await db().credential.findUnique({
    where: { id: parsed.credentialId },
    select: {
      kind: true,
      secretHash: true,
      owner: { select: { id: true, kind: true, status: true, name: true, accountId: true } },
    },
  });
  // Compare even for an unknown id (against a dummy hash), in constant time.
  if (!secretMatches(secret, row?.secretHash) || row?.kind !== parsed.kind) return null;
  return row.owner;
}
