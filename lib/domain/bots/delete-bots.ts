import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { botIdsSchema } from "@/lib/validation/bots";
import { BOT_NOT_FOUND, botNotFound } from "./bot-errors";
import { lockBots } from "./lock-bots";
import { maskedSecret } from "@/lib/domain/credentials/token-format";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { changeStanding } from "@/lib/domain/principals/change-standing";

const credentialDisplay = (c: { kind: "authtoken" | "api_key" | "ssh_key"; secretHint: string | null; fingerprint: string | null }) =>
  c.kind === "ssh_key" ? (c.fingerprint ?? "") : maskedSecret(c.kind, c.secretHint);

/**
 * Deletes one or several bots in ONE transaction: every credential they own is
 * revoked and deleted, and each bot becomes a tombstone (deletedAt set, name
 * freed for reuse, deactivated) so its past events stay attributed to it. All
 * or none: any failure leaves every bot and credential as it was. Records
 * `bot.deleted` per bot, naming the credentials that went with it and marking
 * those that were already revoked. `credentialsDeleted` counts them all,
 * `credentialsRevoked` those that still worked (revoked by this delete).
 */
export async function deleteBots(
  actor: Actor,
  input: unknown,
  ctx: RequestContext,
): Promise<Result<{ count: number; credentialsDeleted: number; credentialsRevoked: number }>> {
  const denied = requireManager(actor, "bots");
  if (denied) return denied;
  const parsed = botIdsSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Select the bots to delete.", fieldErrorsOf(parsed.error));
  const { ids } = parsed.data;

  return actorTransaction(actor, async (tx) => {
    const bots = await lockBots(tx, actor.account.id, ids);
    if (bots.length !== ids.length) return ids.length === 1 ? botNotFound() : fail("not_found", `${BOT_NOT_FOUND}: nothing was deleted`);
    const credentials = await tx.credential.findMany({
      where: { ownerId: { in: ids } },
      select: { id: true, kind: true, ownerId: true, secretHint: true, fingerprint: true, revokedAt: true },
    });
    await tx.credential.deleteMany({ where: { ownerId: { in: ids } } });
    await changeStanding(tx, { kind: "bots_deleted", ids, at: new Date() });
    for (const bot of bots) {
      const own = credentials.filter((c) => c.ownerId === bot.id);
      await recordActorEvent(tx, actor, ctx, {
        type: "bot.deleted",
        subject: { id: bot.id, name: bot.name },
        data: {
          before: { name: bot.name, active: bot.status === "active" },
          after: { deleted: true },
          credentialsDeleted: own.map((c) => ({ id: c.id, kind: c.kind, display: credentialDisplay(c), ...(c.revokedAt ? { alreadyRevoked: true } : {}) })),
        },
      });
    }
    return ok({ count: bots.length, credentialsDeleted: credentials.length, credentialsRevoked: credentials.filter((c) => !c.revokedAt).length });
  }, { fence: ids });
}
