import type { Actor } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { lockPrincipals } from "@/lib/domain/principals/lock-principal";
import { fail, ok, type Result } from "@/lib/domain/result";
import { qrCodeDataUrl } from "./qr-code";
import { sealSecret } from "./secret-box";
import { groupedSecret, newTotpSecret, otpauthUri } from "./totp";

export const ALREADY_ENABLED_MESSAGE = "Two-factor sign-in is already on. Turn it off first to set up another app.";

export interface Enrolment {
  /** The secret in groups of four, for typing into an app: shown now, never again. */
  secret: string;
  /** The `otpauth://` URI and its QR code (an SVG data URL drawn here). */
  uri: string;
  qrCode: string;
}

/**
 * Starts (or starts over) the person's enrolment: a new TOTP secret, kept
 * encrypted as pending until a code from it confirms it
 * (confirmTwoFactorEnrolment). Returned once, for the page that shows it; a
 * new start replaces the pending one. Refused while a second factor is on.
 */
export async function beginTwoFactorEnrolment(actor: Actor & { principal: { email: string } }): Promise<Result<Enrolment>> {
  if (actor.principal.kind !== "person") return fail("bot", "Bots have no second factor.");
  const secret = newTotpSecret();
  const sealed = sealSecret(secret, actor.principal.id);
  return actorTransaction(actor, async (tx) => {
    await lockPrincipals(tx, [actor.principal.id]);
    const [row] = await tx.$queryRaw<{ enabled: boolean }[]>`SELECT enabled_at IS NOT NULL AS enabled FROM two_factor WHERE principal_id = ${actor.principal.id}`;
    if (row?.enabled) return fail("already_enabled", ALREADY_ENABLED_MESSAGE);
    await tx.$executeRaw`
      INSERT INTO two_factor (principal_id, pending_secret, pending_since) VALUES (${actor.principal.id}, ${sealed}, now())
      ON CONFLICT (principal_id) DO UPDATE SET pending_secret = EXCLUDED.pending_secret, pending_since = EXCLUDED.pending_since`;
    const uri = otpauthUri(secret, actor.principal.email);
    return ok({ secret: groupedSecret(secret), uri, qrCode: qrCodeDataUrl(uri) });
  });
}
