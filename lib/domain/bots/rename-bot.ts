import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { renameBotSchema } from "@/lib/validation/bots";
import { botNameTaken, botNotFound, isNameConflict } from "./bot-errors";
import { lockBots } from "./lock-bots";

/**
 * Renames a live bot of the actor's account under the same name rules as
 * creation. Takes the bot's row lock first, like every bot mutation, so a
 * deleted bot never keeps or gets a name. Records `bot.renamed` (before → after).
 */
export async function renameBot(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ id: string; name: string }>> {
  const denied = requireManager(actor, "bots");
  if (denied) return denied;
  const parsed = renameBotSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the bot's name.", fieldErrorsOf(parsed.error));
  const { id, name } = parsed.data;
  try {
    return await db().$transaction(async (tx) => {
      // The row lock makes rename and delete of the same bot run one after the
      // other: a bot deleted meanwhile is not found, and never renamed as a tombstone.
      const [bot] = await lockBots(tx, actor.account.id, [id]);
      if (!bot) return botNotFound();
      if (bot.name === name) return ok({ id, name });
      await tx.principal.update({ where: { id }, data: { name, nameKey: name.toLowerCase() } });
      await recordActorEvent(tx, actor, ctx, {
        type: "bot.renamed",
        subject: { id, name },
        data: { before: { name: bot.name }, after: { name } },
      });
      return ok({ id, name });
    });
  } catch (error) {
    if (isNameConflict(error)) return botNameTaken(name);
    throw error;
  }
}
