import type { Actor, RequestContext } from "@/lib/domain/access/types";
import type { Prisma } from "@/lib/db/generated/client";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { botInputCode, renameBotSchema } from "@/lib/validation/bots";
import { botNameKeys } from "@/lib/validation/name-keys";
import { botNameTakenIn, botNotFound, isNameConflict } from "./bot-errors";
import { lockBots, type LockedBot } from "./lock-bots";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

/**
 * Renames a live bot of the actor's account under the same name rules as
 * creation. Takes the bot's row lock first, like every bot mutation, so a
 * deleted bot never keeps or gets a name. Records `bot.renamed` (before → after).
 */
export async function renameBot(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ id: string; name: string }>> {
  const denied = requireManager(actor, "bots");
  if (denied) return denied;
  const parsed = renameBotSchema.safeParse(input);
  if (!parsed.success) return fail(botInputCode(parsed.error), "Check the bot's name.", fieldErrorsOf(parsed.error));
  const { id, name } = parsed.data;
  try {
    return await actorTransaction(actor, async (tx) => {
      // The row lock makes rename and delete of the same bot run one after the
      // other: a bot deleted meanwhile is not found, and never renamed as a tombstone.
      const [bot] = await lockBots(tx, actor.account.id, [id]);
      if (!bot) return botNotFound();
      await renameLockedBot(tx, actor, ctx, bot, name);
      return ok({ id, name });
    });
  } catch (error) {
    if (isNameConflict(error)) return botNameTakenIn(actor.account.id, name);
    throw error;
  }
}

/**
 * The rename itself, for a bot the caller has locked in its transaction (after
 * requireManager and the name schema): nothing when the name is the same, else
 * the new name and `bot.renamed`. A taken name (or a look-alike of one) fails
 * on a unique index.
 */
export async function renameLockedBot(tx: Prisma.TransactionClient, actor: Actor, ctx: RequestContext, bot: LockedBot, name: string): Promise<void> {
  if (bot.name === name) return;
  await tx.principal.update({ where: { id: bot.id }, data: { name, ...botNameKeys(name) } });
  await recordActorEvent(tx, actor, ctx, {
    type: "bot.renamed",
    subject: { id: bot.id, name },
    data: { before: { name: bot.name }, after: { name } },
  });
}
