import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { botInputCode, updateBotSchema } from "@/lib/validation/bots";
import { botNameTakenIn, botNotFound, isNameConflict } from "./bot-errors";
import { lockBots } from "./lock-bots";
import { renameLockedBot } from "./rename-bot";
import { setLockedBotsActive } from "./set-bots-active";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

/**
 * Renames and/or (de)activates one bot in ONE transaction (the API's PATCH):
 * both change or neither does. The same rules and events as renameBot and
 * setBotsActive, whose locked steps it runs: owners and admins only, the one
 * name rule, the bot's row lock first, `bot.renamed` and `bot.deactivated` /
 * `bot.reactivated` for what actually changed. Nothing to change still needs
 * an admin and a live bot of the account.
 */
export async function updateBot(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ id: string }>> {
  const denied = requireManager(actor, "bots");
  if (denied) return denied;
  const parsed = updateBotSchema.safeParse(input);
  if (!parsed.success) return fail(botInputCode(parsed.error), "Check the bot's name and status.", fieldErrorsOf(parsed.error));
  const { id, name, active } = parsed.data;
  try {
    // No fence named here: deactivating goes through changeStanding, which fences the bot (starting
    // the transaction over with it fenced first), as every change of standing does.
    return await actorTransaction(actor, async (tx) => {
      const [bot] = await lockBots(tx, actor.account.id, [id]);
      if (!bot) return botNotFound();
      if (name !== undefined) await renameLockedBot(tx, actor, ctx, bot, name);
      if (active !== undefined) await setLockedBotsActive(tx, actor, ctx, [{ ...bot, name: name ?? bot.name }], active);
      return ok({ id });
    });
  } catch (error) {
    if (isNameConflict(error) && name !== undefined) return botNameTakenIn(actor.account.id, name);
    throw error;
  }
}
