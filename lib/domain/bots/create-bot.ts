import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { newId } from "@/lib/ids";
import { botInputCode, createBotSchema } from "@/lib/validation/bots";
import { botNameKeys } from "@/lib/validation/name-keys";
import { botNameTakenIn, isNameConflict } from "./bot-errors";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

/**
 * Creates a bot in the actor's account. Only owners and admins; the name is
 * normalised, 1–255 bytes and unique in the account ignoring case and
 * look-alike characters (its keys, lib/validation/name-keys.ts, each under a
 * unique index, so two racing creates cannot both win). Bots never use a seat,
 * so there is no limit here. `active: false` creates it deactivated (its
 * credentials suspended from the start). Records `bot.created` in the same
 * transaction.
 */
export async function createBot(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ id: string; name: string }>> {
  const denied = requireManager(actor, "bots");
  if (denied) return denied;
  const parsed = createBotSchema.safeParse(input);
  if (!parsed.success) return fail(botInputCode(parsed.error), "Check the bot's name.", fieldErrorsOf(parsed.error));
  const { name } = parsed.data;
  const active = parsed.data.active ?? true;
  const description = parsed.data.description ?? "";
  const contact = parsed.data.contact ?? "";
  const id = newId("bot");
  try {
    const created = await actorTransaction(actor, async (tx) => {
      await tx.principal.create({
        data: {
          id,
          kind: "bot",
          name,
          ...botNameKeys(name),
          status: active ? "active" : "deactivated",
          description,
          contact,
          accountId: actor.account.id,
          createdById: actor.principal.id,
        },
      });
      await recordActorEvent(tx, actor, ctx, {
        type: "bot.created",
        subject: { id, name },
        data: { after: { name, active, ...(description ? { description } : {}), ...(contact ? { contact } : {}) } },
      });
      return ok(undefined);
    });
    if (!created.ok) return created;
  } catch (error) {
    if (isNameConflict(error)) return botNameTakenIn(actor.account.id, name);
    throw error;
  }
  return ok({ id, name });
}
