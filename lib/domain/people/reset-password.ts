import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { personIdSchema } from "@/lib/validation/people-admin";
import { endSessions } from "./end-sessions";
import { findMembership, personNotFound } from "./guards";
import { hashPassword, oneTimePassword } from "./password";
import { refuseResetByRank } from "./reset-rank";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { changeStanding } from "@/lib/domain/principals/change-standing";

export const RESET_BOT_MESSAGE = "Bots have no password: they use their credentials (API keys, authtokens, SSH keys).";
export const RESET_OTHER_ACCOUNTS_MESSAGE =
  "This person also belongs to other accounts, so their password can't be reset from this one. They can change it under Settings.";

/**
 * An owner or admin resets the password of a person of their account: the
 * person gets a one-time password (returned once, stored only as a hash),
 * every session of theirs ends, and at their next sign-in they must choose a
 * new password before anything else (`mustChangePassword`). Records
 * `person.password_reset` (never the password), all in one transaction under
 * the person's row lock, like every other change to a person.
 *
 * Refused: for members; for oneself (Settings has the password change); for an
 * owner or an admin unless the actor is an owner (refuseResetByRank, the rule
 * two-factor resets share: an owner resets anyone, an admin members); for bots, people outside the account and
 * people deactivated everywhere; and for a person who also belongs to another
 * account, since a password is the person's for every account and the admins
 * of one must not be able to sign in as them to another.
 */
export async function resetPassword(
  actor: Actor,
  input: unknown,
  ctx: RequestContext,
): Promise<Result<{ id: string; name: string; email: string; oneTimePassword: string }>> {
  const denied = requireManager(actor, "people");
  if (denied) return denied;
  const parsed = personIdSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose a person.", fieldErrorsOf(parsed.error));
  const { personId } = parsed.data;
  if (personId === actor.principal.id) return refuseResetByRank(actor, { id: personId, role: actor.role }, "password")!;

  // Hashing is deliberately slow: done before the transaction, so no lock waits on it.
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password);
  return actorTransaction(actor, async (tx) => {
    const member = await findMembership(tx, actor.account.id, personId);
    if (!member) {
      const bot = await tx.principal.findFirst({ where: { id: personId, kind: "bot", accountId: actor.account.id }, select: { id: true } });
      return bot ? fail("bot", RESET_BOT_MESSAGE) : personNotFound();
    }
    const rank = refuseResetByRank(actor, { id: personId, role: member.role }, "password");
    if (rank) return rank;
    if (member.principal.status !== "active" || !member.principal.email) {
      return fail("user_disabled", "This person's Botdesk user is deactivated for every account, so a new password would not let them in.");
    }
    const elsewhere = await tx.membership.count({ where: { principalId: personId, accountId: { not: actor.account.id } } });
    if (elsewhere > 0) return fail("other_accounts", RESET_OTHER_ACCOUNTS_MESSAGE);

    await changeStanding(tx, { kind: "password_reset", personId, passwordHash });
    await endSessions(tx, personId);
    await recordActorEvent(tx, actor, ctx, {
      type: "person.password_reset",
      subject: { id: personId, name: member.principal.name },
      data: { sessionsEnded: true, mustChangePassword: true },
    });
    return ok({ id: personId, name: member.principal.name, email: member.principal.email, oneTimePassword: password });
  }, { fence: [personId] });
}
