import { z } from "zod";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { personIdSchema } from "@/lib/validation/people-admin";
import { endSessions } from "./end-sessions";
import { findMembership, lockAccount, personNotFound, refuseLastOwner, refuseUnlessOwner, refuseWithoutFreeSeat } from "./guards";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { changeStanding } from "@/lib/domain/principals/change-standing";

const setPersonActiveSchema = personIdSchema.extend({ active: z.boolean() });

/**
 * Deactivates a person in the actor's account (they lose access on their next
 * request and free their seat) or reactivates them (which needs a free seat).
 * Nobody deactivates themselves; the last active owner stays. Records
 * `person.deactivated` / `person.reactivated`.
 */
export async function setPersonActive(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<undefined>> {
  const denied = requireManager(actor, "people");
  if (denied) return denied;
  const parsed = setPersonActiveSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose a person.", fieldErrorsOf(parsed.error));
  const { personId, active } = parsed.data;
  if (!active && personId === actor.principal.id) return fail("self", "You can't deactivate yourself.");

  return actorTransaction(actor, async (tx) => {
    const { seatLimit } = await lockAccount(tx, actor.account.id);
    const member = await findMembership(tx, actor.account.id, personId);
    if (!member) return personNotFound();
    const status = active ? "active" : "deactivated";
    if (member.status === status) return ok(undefined);
    const notOwner = refuseUnlessOwner(actor, member.role === "owner");
    if (notOwner) return notOwner;
    if (active && member.principal.status !== "active") {
      return fail("user_disabled", "This person's Botdesk user is deactivated for every account, so reactivating it here would not let them in.");
    }
    const refusal = active
      ? await refuseWithoutFreeSeat(tx, actor.account.id, seatLimit)
      : member.role === "owner"
        ? await refuseLastOwner(tx, actor.account.id, "deactivated")
        : null;
    if (refusal) return refusal;
    await changeStanding(tx, { kind: "membership_status", accountId: actor.account.id, personId, status });
    // A cookie from before a deactivation must not work again after a reactivation.
    if (!active) await endSessions(tx, personId);
    await recordActorEvent(tx, actor, ctx, {
      type: active ? "person.reactivated" : "person.deactivated",
      subject: { id: personId, name: member.principal.name },
      data: { before: { active: !active }, after: { active } },
    });
    return ok(undefined);
  }, { fence: active ? [] : [personId] });
}
