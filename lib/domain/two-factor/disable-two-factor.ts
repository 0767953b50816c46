import type { PersonActor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { fail, ok, type Result } from "@/lib/domain/result";
import { proveSecondFactor } from "./prove-second-factor";
import { recordInPersonAccounts } from "./record-two-factor-event";
import { accountsRequiringTwoFactor } from "./two-factor-status";

/**
 * A person turns their own second factor off, proving it with a current code.
 * Refused while an account of theirs requires two-factor sign-in. Deletes the
 * secret and every recovery code; records `person.two_factor_disabled` in each
 * of their accounts.
 */
export async function disableTwoFactor(actor: PersonActor, input: unknown, ctx: RequestContext): Promise<Result<undefined>> {
  const requiring = await accountsRequiringTwoFactor(actor.principal.id);
  if (requiring.length > 0) {
    return fail("required", `${requiring.join(", ")} requires two-factor sign-in, so it stays on. You can set up a new app after an admin resets it.`);
  }
  return actorTransaction(actor, async (tx) => {
    const refused = await proveSecondFactor(tx, actor, input, ctx);
    if (refused) return refused;
    const personId = actor.principal.id;
    await tx.$executeRaw`DELETE FROM two_factor WHERE principal_id = ${personId}`;
    await tx.$executeRaw`DELETE FROM recovery_codes WHERE principal_id = ${personId}`;
    const event = { type: "person.two_factor_disabled" as const, subject: { id: personId, name: actor.principal.name }, data: { by: "self" } };
    await recordActorEvent(tx, actor, ctx, event);
    await recordInPersonAccounts(tx, personId, { ...event, principalId: personId }, ctx, { except: actor.account.id });
    return ok(undefined);
  });
}
