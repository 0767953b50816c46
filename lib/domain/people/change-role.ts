import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { changeRoleSchema } from "@/lib/validation/people-admin";
import { findMembership, lockAccount, personNotFound, refuseLastOwner, refuseUnlessOwner } from "./guards";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { changeStanding } from "@/lib/domain/principals/change-standing";

/** Changes a person's role in the actor's account. The last active owner cannot be demoted. Records `person.role_changed`. */
export async function changeRole(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<undefined>> {
  const denied = requireManager(actor, "people");
  if (denied) return denied;
  const parsed = changeRoleSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose a role.", fieldErrorsOf(parsed.error));
  const { personId, role } = parsed.data;

  return actorTransaction(actor, async (tx) => {
    await lockAccount(tx, actor.account.id);
    const member = await findMembership(tx, actor.account.id, personId);
    if (!member) return personNotFound();
    if (member.role === role) return ok(undefined);
    const notOwner = refuseUnlessOwner(actor, role === "owner" || member.role === "owner");
    if (notOwner) return notOwner;
    if (member.role === "owner") {
      const last = await refuseLastOwner(tx, actor.account.id, "demoted");
      if (last) return last;
    }
    await changeStanding(tx, { kind: "membership_role", accountId: actor.account.id, personId, role });
    await recordActorEvent(tx, actor, ctx, {
      type: "person.role_changed",
      subject: { id: personId, name: member.principal.name },
      data: { before: { role: member.role }, after: { role } },
    });
    return ok(undefined);
  }, { fence: [personId] });
}
