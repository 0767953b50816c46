import type { PrincipalKind, PrincipalStatus } from "@/lib/db/generated/enums";

/**
 * The principal owning a credential secret (authtoken, API key) that someone
 * presented where a password was expected, so the sign-in gate can refuse a
 * bot's secret as a bot. Credentials arrive with the credentials issue, which
 * replaces this body with its one verification function; until then no secret
 * can belong to anyone.
 */
export async function principalForPresentedSecret(
  secret: string,
): Promise<{ id: string; kind: PrincipalKind; status: PrincipalStatus; name: string; accountId: string | null } | null> {
  void secret;
  return null;
}
