import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { endSessions } from "@/lib/domain/people/end-sessions";
import { lockPrincipals } from "@/lib/domain/principals/lock-principal";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { twoFactorCodeSchema } from "@/lib/validation/two-factor";
import { ALREADY_ENABLED_MESSAGE } from "./begin-enrolment";
import { recordInPersonAccounts } from "./record-two-factor-event";
import { replaceRecoveryCodes } from "./replace-recovery-codes";
import { openSecret } from "./secret-box";
import { matchTotp } from "./totp";

/** An enrolment not confirmed within this time must start over (its secret was on screen). */
export const ENROLMENT_MINUTES = 30;
export const NO_ENROLMENT_MESSAGE = "This setup has expired or was replaced. Start again.";
export const WRONG_ENROLMENT_CODE = "That code does not match. Check the app shows Botdesk's new entry, and enter its current code.";

/**
 * Completes the enrolment begun by beginTwoFactorEnrolment, only with a
 * current code from the pending secret: the secret becomes the person's second
 * factor (encrypted; never shown again), that code's time step counts as used,
 * a new set of recovery codes replaces any old one (returned once), and every
 * other session of the person ends (none signed in with the password alone
 * survives); the caller re-issues the current one under the returned version.
 * Records `person.two_factor_enabled` in each of the person's accounts. Under
 * the person's row lock, like every change to their second factor.
 */
export async function confirmTwoFactorEnrolment(
  actor: Actor,
  input: unknown,
  ctx: RequestContext,
): Promise<Result<{ recoveryCodes: string[]; sessionVersion: number }>> {
  const parsed = twoFactorCodeSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Enter the code from your app.", fieldErrorsOf(parsed.error));
  const personId = actor.principal.id;
  return actorTransaction(actor, async (tx) => {
    await lockPrincipals(tx, [personId]);
    const [row] = await tx.$queryRaw<{ enabled: boolean; pending_secret: string | null; fresh: boolean }[]>`
      SELECT enabled_at IS NOT NULL AS enabled, pending_secret,
             pending_since > now() - make_interval(mins => ${ENROLMENT_MINUTES}) AS fresh
      FROM two_factor WHERE principal_id = ${personId}`;
    if (row?.enabled) return fail("already_enabled", ALREADY_ENABLED_MESSAGE);
    const secret = row?.pending_secret && row.fresh ? openSecret(row.pending_secret, personId) : null;
    if (!secret) return fail("no_enrolment", NO_ENROLMENT_MESSAGE);
    const step = matchTotp(secret, parsed.data.code);
    if (step === null) return fail("wrong_code", WRONG_ENROLMENT_CODE, { code: "That code does not match" });

    await tx.$executeRaw`
      UPDATE two_factor SET secret = pending_secret, enabled_at = now(), last_step = ${step}, pending_secret = NULL, pending_since = NULL
      WHERE principal_id = ${personId}`;
    const recoveryCodes = await replaceRecoveryCodes(tx, personId);
    const sessionVersion = await endSessions(tx, personId);
    const event = { type: "person.two_factor_enabled" as const, subject: { id: personId, name: actor.principal.name }, data: { recoveryCodes: recoveryCodes.length, otherSessionsEnded: true } };
    await recordActorEvent(tx, actor, ctx, event);
    await recordInPersonAccounts(tx, personId, { ...event, principalId: personId }, ctx, { except: actor.account.id });
    return ok({ recoveryCodes, sessionVersion });
  });
}
