import type { PersonActor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { ok, type Result } from "@/lib/domain/result";
import { proveSecondFactor } from "./prove-second-factor";
import { recordInPersonAccounts } from "./record-two-factor-event";
import { replaceRecoveryCodes } from "./replace-recovery-codes";

/**
 * A new set of recovery codes, proven with a current code (a recovery code
 * works too, and is spent): the old set stops working in the same
 * transaction. Returns the codes once; records
 * `person.recovery_codes_regenerated` in each of the person's accounts.
 */
export async function regenerateRecoveryCodes(actor: PersonActor, input: unknown, ctx: RequestContext): Promise<Result<{ recoveryCodes: string[] }>> {
  return actorTransaction(actor, async (tx) => {
    const refused = await proveSecondFactor(tx, actor, input, ctx);
    if (refused) return refused;
    const personId = actor.principal.id;
    const recoveryCodes = await replaceRecoveryCodes(tx, personId);
    const event = { type: "person.recovery_codes_regenerated" as const, subject: { id: personId, name: actor.principal.name }, data: { count: recoveryCodes.length } };
    await recordActorEvent(tx, actor, ctx, event);
    await recordInPersonAccounts(tx, personId, { ...event, principalId: personId }, ctx, { except: actor.account.id });
    return ok({ recoveryCodes });
  });
}
