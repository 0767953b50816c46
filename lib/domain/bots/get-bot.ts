import { db } from "@/lib/db/client";
import { ID_PATTERN } from "@/lib/validation/text";
import type { BotDetail } from "./types";

/** A live bot of the account (its credentials: listOwnedCredentials); null for unknown, deleted or another account's bot alike. */
export async function getBot(accountId: string, botId: string): Promise<BotDetail | null> {
  // Whatever a URL carries (`/users/bots/%00`): a NUL byte cannot even reach PostgreSQL's query.
  if (!ID_PATTERN.test(botId)) return null;
  const bot = await db().principal.findFirst({
    where: { id: botId, accountId, kind: "bot", deletedAt: null },
    select: {
      id: true,
      name: true,
      status: true,
      createdAt: true,
      lastActivityAt: true,
      description: true,
      contact: true,
      createdBy: { select: { id: true, name: true } },
    },
  });
  if (!bot) return null;
  // Revoked credentials are not listed on the page, but deleting the bot deletes them too: its dialog says how many.
  const revokedCredentialCount = await db().credential.count({ where: { ownerId: bot.id, revokedAt: { not: null } } });
  return {
    id: bot.id,
    name: bot.name,
    active: bot.status === "active",
    createdAt: bot.createdAt,
    createdBy: bot.createdBy,
    lastActivityAt: bot.lastActivityAt,
    description: bot.description,
    contact: bot.contact,
    revokedCredentialCount,
  };
}
