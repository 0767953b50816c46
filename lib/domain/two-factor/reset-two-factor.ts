import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { requireManager } from "@/lib/domain/permissions";
import { endSessions } from "@/lib/domain/people/end-sessions";
import { findMembership, personNotFound } from "@/lib/domain/people/guards";
import { refuseResetByRank } from "@/lib/domain/people/reset-rank";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { personIdSchema } from "@/lib/validation/people-admin";
import { clearSecondFactor } from "./clear-second-factor";

export const RESET_OTHER_ACCOUNTS_TWO_FACTOR =
  "This person also belongs to other accounts, so their two-factor sign-in can't be reset from this one. An owner of each account, or the operator (npm run reset-owner), can help.";

/**
 * An owner or admin clears the second factor of a person who lost it: the
 * secret, the recovery codes and any sign-in waiting for a code are deleted,
 * and every session of theirs ends. They then sign in with their password
 * alone, and set up a new app (at once, where an account requires it).
 * Records `person.two_factor_reset`. The same rules as a password reset
 * (refuseResetByRank: an owner for anyone, an admin for members; never
 * oneself; not for someone who also belongs to another account, whose admins
 * did not agree), under the person's row lock.
 */
export async function resetTwoFactor(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ id: string; name: string }>> {
  const denied = requireManager(actor, "people");
  if (denied) return denied;
  const parsed = personIdSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose a person.", fieldErrorsOf(parsed.error));
  const { personId } = parsed.data;
  if (personId === actor.principal.id) return refuseResetByRank(actor, { id: personId, role: actor.role }, "two-factor sign-in")!;
  return actorTransaction(actor, async (tx) => {
    const member = await findMembership(tx, actor.account.id, personId);
    if (!member) return personNotFound();
    const rank = refuseResetByRank(actor, { id: personId, role: member.role }, "two-factor sign-in");
    if (rank) return rank;
    const elsewhere = await tx.membership.count({ where: { principalId: personId, accountId: { not: actor.account.id } } });
    if (elsewhere > 0) return fail("other_accounts", RESET_OTHER_ACCOUNTS_TWO_FACTOR);
    const cleared = await clearSecondFactor(tx, personId);
    if (!cleared) return fail("not_enrolled", `${member.principal.name} has no second factor to reset.`);
    await endSessions(tx, personId);
    await recordActorEvent(tx, actor, ctx, {
      type: "person.two_factor_reset",
      subject: { id: personId, name: member.principal.name },
      data: { sessionsEnded: true },
    });
    return ok({ id: personId, name: member.principal.name });
  }, { fence: [personId] });
}
