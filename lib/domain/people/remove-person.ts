import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { personIdSchema } from "@/lib/validation/people-admin";
import { endSessions } from "./end-sessions";
import { findMembership, lockAccount, personNotFound, refuseLastOwner, refuseUnlessOwner } from "./guards";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { changeStanding } from "@/lib/domain/principals/change-standing";

/**
 * Removes a person from the actor's account (their user and their past events
 * stay; they lose access here on their next request). Nobody removes
 * themselves; the last active owner stays. Records `person.removed`.
 */
export async function removePerson(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<undefined>> {
  const denied = requireManager(actor, "people");
  if (denied) return denied;
  const parsed = personIdSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose a person.", fieldErrorsOf(parsed.error));
  const { personId } = parsed.data;
  if (personId === actor.principal.id) return fail("self", "You can't remove yourself.");

  return actorTransaction(actor, async (tx) => {
    await lockAccount(tx, actor.account.id);
    const member = await findMembership(tx, actor.account.id, personId);
    if (!member) return personNotFound();
    const notOwner = refuseUnlessOwner(actor, member.role === "owner");
    if (notOwner) return notOwner;
    if (member.role === "owner" && member.status === "active") {
      const last = await refuseLastOwner(tx, actor.account.id, "removed");
      if (last) return last;
    }
    await changeStanding(tx, { kind: "membership_removed", accountId: actor.account.id, personId });
    await endSessions(tx, personId);
    await recordActorEvent(tx, actor, ctx, {
      type: "person.removed",
      subject: { id: personId, name: member.principal.name },
      data: { before: { email: member.principal.email, role: member.role } },
    });
    return ok(undefined);
  }, { fence: [personId] });
}
