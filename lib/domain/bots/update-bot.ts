import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { botInputCode, updateBotSchema } from "@/lib/validation/bots";
import { botNameTakenIn, botNotFound, isNameConflict } from "./bot-errors";
import { lockBots } from "./lock-bots";
import { renameLockedBot } from "./rename-bot";
import { setLockedBotsActive } from "./set-bots-active";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";

/**
 * Renames, (de)activates and/or describes (description, contact) one bot in ONE
 * transaction (the API's PATCH, the bot page's "Edit details"): all change or none does. The same rules and events as renameBot and
 * setBotsActive, whose locked steps it runs: owners and admins only, the one
 * name rule, the bot's row lock first, `bot.renamed` and `bot.deactivated` /
 * `bot.reactivated` for what actually changed, and `bot.updated` (before → after of
 * the description and contact that changed). Nothing to change still needs
 * an admin and a live bot of the account.
 */
export async function updateBot(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ id: string }>> {
  const denied = requireManager(actor, "bots");
  if (denied) return denied;
  const parsed = updateBotSchema.safeParse(input);
  if (!parsed.success) return fail(botInputCode(parsed.error), "Check the bot's fields.", fieldErrorsOf(parsed.error));
  const { id, name, active, description, contact } = parsed.data;
  try {
    // No fence named here: deactivating goes through changeStanding, which fences the bot (starting
    // the transaction over with it fenced first), as every change of standing does.
    return await actorTransaction(actor, async (tx) => {
      const [bot] = await lockBots(tx, actor.account.id, [id]);
      if (!bot) return botNotFound();
      if (name !== undefined) await renameLockedBot(tx, actor, ctx, bot, name);
      if (active !== undefined) await setLockedBotsActive(tx, actor, ctx, [{ ...bot, name: name ?? bot.name }], active);
      if (description !== undefined || contact !== undefined) {
        const now = await tx.principal.findUniqueOrThrow({ where: { id }, select: { description: true, contact: true } });
        const before: Record<string, string> = {};
        const after: Record<string, string> = {};
        if (description !== undefined && description !== now.description) [before.description, after.description] = [now.description, description];
        if (contact !== undefined && contact !== now.contact) [before.contact, after.contact] = [now.contact, contact];
        if (Object.keys(after).length > 0) {
          await tx.principal.update({ where: { id }, data: after });
          await recordActorEvent(tx, actor, ctx, { type: "bot.updated", subject: { id, name: name ?? bot.name }, data: { before, after } });
        }
      }
      return ok({ id });
    });
  } catch (error) {
    if (isNameConflict(error) && name !== undefined) return botNameTakenIn(actor.account.id, name);
    throw error;
  }
}
