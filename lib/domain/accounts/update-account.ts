import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { activeMemberWhere } from "@/lib/domain/principals/active-in-account";
import { quotasOf } from "@/lib/domain/quotas/plan-quotas";
import { forgetQuotaCache } from "@/lib/domain/quotas/quota-usage";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { updateAccountSchema, type Quotas } from "@/lib/validation/account";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

export const NOT_OWNER_ACCOUNT = "Only owners can change the account's name, seat limit and quotas.";

export interface AccountSettings {
  name: string;
  plan: string;
  seatLimit: number;
  quotas: Quotas;
}

/**
 * Renames the account and/or changes its seat limit and quotas. Owners only
 * (checked before the input is read). The seat limit never goes below the seats
 * in use: the account row is locked FOR UPDATE first, as every seat-using
 * change in lib/domain/people does, so a person added concurrently is counted
 * or waits. Records one `account.updated` with before → after of the fields
 * that changed, in the same transaction; an unchanged submission records
 * nothing. Quotas are stored whole (all four), so later plan defaults never
 * change an owner's choice silently.
 */
export async function updateAccount(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<AccountSettings>> {
  if (actor.role !== "owner") return fail("not_owner", NOT_OWNER_ACCOUNT);
  const parsed = updateAccountSchema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors = fieldErrorsOf(parsed.error);
    // Quota errors name the quota field, as the form does.
    for (const issue of parsed.error.issues) if (issue.path[0] === "quotas" && issue.path[1]) fieldErrors[`quotas.${String(issue.path[1])}`] ??= issue.message;
    return fail("invalid_input", "Check the highlighted fields.", fieldErrors);
  }
  const change = parsed.data;
  const result = await actorTransaction(actor, async (tx) => {
    const [row] = await tx.$queryRaw<{ name: string; plan: string; seat_limit: number; quotas: unknown }[]>`
      SELECT name, plan, seat_limit, quotas FROM accounts WHERE id = ${actor.account.id} FOR UPDATE`;
    if (!row) return fail("not_found", "Account not found");
    const current: AccountSettings = { name: row.name, plan: row.plan, seatLimit: row.seat_limit, quotas: quotasOf(row.plan, row.quotas) };
    const next: AccountSettings = {
      ...current,
      name: change.name ?? current.name,
      seatLimit: change.seatLimit ?? current.seatLimit,
      quotas: change.quotas ?? current.quotas,
    };
    if (next.seatLimit < current.seatLimit) {
      const used = await tx.membership.count({ where: activeMemberWhere(actor.account.id) });
      if (next.seatLimit < used) {
        return fail("seats_in_use", `${used} seats are in use: the limit can't go below that. Deactivate or remove people first.`, {
          seatLimit: `At least ${used} (the seats in use)`,
        });
      }
    }
    const before: Record<string, string | number | Record<string, number>> = {};
    const after: Record<string, string | number | Record<string, number>> = {};
    if (next.name !== current.name) [before.name, after.name] = [current.name, next.name];
    if (next.seatLimit !== current.seatLimit) [before.seatLimit, after.seatLimit] = [current.seatLimit, next.seatLimit];
    const quotasChanged = (Object.keys(next.quotas) as (keyof Quotas)[]).filter((k) => next.quotas[k] !== current.quotas[k]);
    if (quotasChanged.length) {
      before.quotas = Object.fromEntries(quotasChanged.map((k) => [k, current.quotas[k]]));
      after.quotas = Object.fromEntries(quotasChanged.map((k) => [k, next.quotas[k]]));
    }
    if (Object.keys(after).length === 0) return ok(current);
    await tx.account.update({
      where: { id: actor.account.id },
      data: { name: next.name, seatLimit: next.seatLimit, ...(quotasChanged.length ? { quotas: next.quotas } : {}) },
    });
    await recordActorEvent(tx, actor, ctx, {
      type: "account.updated",
      subject: { id: actor.account.id, name: next.name },
      data: { before, after },
    });
    return ok(next);
  });
  if (result.ok) forgetQuotaCache(actor.account.id);
  return result;
}

/** The account's name, plan, seat limit and quotas in force (plan defaults for any not set). Anyone in the account may read them. */
export async function getAccountSettings(actor: Actor): Promise<AccountSettings> {
  const a = await db().account.findUniqueOrThrow({ where: { id: actor.account.id }, select: { name: true, plan: true, seatLimit: true, quotas: true } });
  return { name: a.name, plan: a.plan, seatLimit: a.seatLimit, quotas: quotasOf(a.plan, a.quotas) };
}
