import { verifyCredential, type VerifiedPrincipal } from "@/lib/domain/credentials/verify-credential";

/**
 * The principal owning a credential secret (authtoken, API key) that someone
 * presented where a password was expected, so the sign-in gate can refuse a
 * bot's secret as a bot. Uses the one credential check: a secret that matched
 * is attributed to its owner even when it is expired or its owner deactivated.
 */
export async function principalForPresentedSecret(secret: string): Promise<VerifiedPrincipal | null> {
  const result = await verifyCredential(secret);
  return result.principal ?? null;
}
