import { z } from "zod";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import type { Prisma } from "@/lib/db/generated/client";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { botIdsSchema } from "@/lib/validation/bots";
import { BOT_NOT_FOUND, botNotFound } from "./bot-errors";
import { lockBots, type LockedBot } from "./lock-bots";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { changeStanding } from "@/lib/domain/principals/change-standing";

const setBotsActiveSchema = botIdsSchema.extend({ active: z.boolean() });

/**
 * Deactivates (active: false) or reactivates one or several bots, all or none.
 * Nothing is deleted: a deactivated bot's credentials are refused by the one
 * credential check while it stays deactivated, and work again on reactivation.
 * Records `bot.deactivated` / `bot.reactivated` for each bot that changed.
 * `count` is how many bots were asked for, `changed` how many were not already so.
 */
export async function setBotsActive(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ count: number; changed: number }>> {
  const denied = requireManager(actor, "bots");
  if (denied) return denied;
  const parsed = setBotsActiveSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Select the bots to change.", fieldErrorsOf(parsed.error));
  const { ids, active } = parsed.data;

  return actorTransaction(actor, async (tx) => {
    const bots = await lockBots(tx, actor.account.id, ids);
    if (bots.length !== ids.length) return ids.length === 1 ? botNotFound() : fail("not_found", `${BOT_NOT_FOUND}: nothing was changed`);
    const changed = await setLockedBotsActive(tx, actor, ctx, bots, active);
    return ok({ count: bots.length, changed });
  }, { fence: active ? [] : ids });
}

/**
 * The change itself, for bots the caller has locked in its transaction (after
 * requireManager): each bot whose status differs changes, with its
 * `bot.deactivated` / `bot.reactivated`; the others are left alone. Returns how many changed.
 */
export async function setLockedBotsActive(tx: Prisma.TransactionClient, actor: Actor, ctx: RequestContext, bots: LockedBot[], active: boolean): Promise<number> {
  const status = active ? "active" : "deactivated";
  const changing = bots.filter((b) => b.status !== status);
  if (changing.length > 0) await changeStanding(tx, { kind: "bots_status", ids: changing.map((b) => b.id), status });
  for (const bot of changing) {
    await recordActorEvent(tx, actor, ctx, {
      type: active ? "bot.reactivated" : "bot.deactivated",
      subject: { id: bot.id, name: bot.name },
      data: { before: { active: !active }, after: { active } },
    });
  }
  return changing.length;
}
