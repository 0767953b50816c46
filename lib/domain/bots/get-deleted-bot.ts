import { db } from "@/lib/db/client";
import { ID_PATTERN } from "@/lib/validation/text";
import { isRecord } from "@/lib/domain/events/summary";

export interface DeletedBot {
  id: string;
  name: string;
  createdAt: Date;
  createdBy: { id: string; name: string } | null;
  deletedAt: Date;
  /** Who deleted it, from its `bot.deleted` event (null if that event was purged). */
  deletedBy: { id: string; name: string; kind: "person" | "bot" } | null;
  /** The credentials deleted with it, as its `bot.deleted` event lists them (display `bdak_…x9Qz`); empty if that event was purged. */
  credentialsDeleted: { id: string; kind: string; display: string; alreadyRevoked: boolean }[];
}

function credentialsOf(data: unknown): DeletedBot["credentialsDeleted"] {
  const list = isRecord(data) && Array.isArray(data.credentialsDeleted) ? data.credentialsDeleted : [];
  return list.filter(isRecord).flatMap((c) =>
    typeof c.id === "string" ? [{ id: c.id, kind: typeof c.kind === "string" ? c.kind : "", display: typeof c.display === "string" ? c.display : c.id, alreadyRevoked: c.alreadyRevoked === true }] : [],
  );
}

/**
 * A deleted bot of the account (its tombstone: name at deletion, when and by
 * whom), so links to it never end in "not found"; null for a live, unknown or
 * another account's bot. Its history: listEvents with `bot`.
 */
export async function getDeletedBot(accountId: string, botId: string): Promise<DeletedBot | null> {
  // Whatever a URL carries (`/users/bots/%00`): a NUL byte cannot even reach PostgreSQL's query.
  if (!ID_PATTERN.test(botId)) return null;
  const bot = await db().principal.findFirst({
    where: { id: botId, accountId, kind: "bot", deletedAt: { not: null } },
    select: { id: true, name: true, createdAt: true, deletedAt: true, createdBy: { select: { id: true, name: true } } },
  });
  if (!bot?.deletedAt) return null;
  // The bot feed's index: the newest bot.deleted event about this bot.
  const event = await db().event.findFirst({
    where: { botId: bot.id, accountId, type: "bot.deleted" },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { data: true, principal: { select: { id: true, name: true, kind: true } } },
  });
  return {
    id: bot.id,
    name: bot.name,
    createdAt: bot.createdAt,
    createdBy: bot.createdBy,
    deletedAt: bot.deletedAt,
    deletedBy: event?.principal ?? null,
    credentialsDeleted: credentialsOf(event?.data),
  };
}
