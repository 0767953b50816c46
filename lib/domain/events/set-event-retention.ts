import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { setEventRetentionSchema } from "@/lib/validation/events";
import { recordActorEvent } from "./record-event";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

export const NOT_OWNER_RETENTION = "Only owners can change how long the account keeps its events.";

/**
 * Sets how many days the account keeps its events (the hourly purge deletes
 * older ones). Owners only: shortening it deletes history for good. Records
 * `account.updated` (before → after) in the same transaction; an unchanged
 * value records nothing.
 */
export async function setEventRetention(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ days: number }>> {
  if (actor.role !== "owner") return fail("not_owner", NOT_OWNER_RETENTION);
  const parsed = setEventRetentionSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the number of days.", fieldErrorsOf(parsed.error));
  const { days } = parsed.data;
  return actorTransaction(actor, async (tx) => {
    const [account] = await tx.$queryRaw<{ days: number }[]>`
      SELECT event_retention_days AS days FROM accounts WHERE id = ${actor.account.id} FOR UPDATE`;
    if (!account) return fail("not_found", "Account not found");
    if (account.days === days) return ok({ days });
    await tx.account.update({ where: { id: actor.account.id }, data: { eventRetentionDays: days } });
    await recordActorEvent(tx, actor, ctx, {
      type: "account.updated",
      subject: { id: actor.account.id, name: actor.account.name },
      data: { before: { eventRetentionDays: account.days }, after: { eventRetentionDays: days } },
    });
    return ok({ days });
  });
}

/** The account's event retention in days. */
export async function getEventRetention(actor: Actor): Promise<number> {
  const account = await db().account.findUnique({ where: { id: actor.account.id }, select: { eventRetentionDays: true } });
  return account?.eventRetentionDays ?? 400;
}
