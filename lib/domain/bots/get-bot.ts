import { queryHot } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { ID_PATTERN } from "@/lib/validation/text";
import type { BotDetail } from "./types";

type Row = {
  id: string;
  name: string;
  status: string;
  created_at: Date;
  last_activity_at: Date | null;
  description: string;
  contact: string;
  created_by_id: string | null;
  created_by_name: string | null;
  revoked: number;
};

/**
 * A live bot of the account (its credentials: listOwnedCredentials); null for unknown, deleted or another account's bot alike.
 * One statement (the API's `GET /bot_users/{id}` runs it on every call): the bot, who created it, and its revoked credentials' count.
 */
export async function getBot(accountId: string, botId: string): Promise<BotDetail | null> {
  // Whatever a URL carries (`/users/bots/%00`): a NUL byte cannot even reach PostgreSQL's query.
  if (!ID_PATTERN.test(botId)) return null;
  // Revoked credentials are not listed on the page, but deleting the bot deletes them too: its dialog says how many.
  const [bot] = await queryHot<Row>(Prisma.sql`/* prepared */
    SELECT p.id, p.name, p.status::text AS status, p.created_at, p.last_activity_at, p.description, p.contact,
           c.id AS created_by_id, c.name AS created_by_name,
           (SELECT count(*) FROM credentials r WHERE r.owner_id = p.id AND r.revoked_at IS NOT NULL)::int AS revoked
    FROM principals p
    LEFT JOIN principals c ON c.id = p.created_by_id
    WHERE p.id = ${botId} AND p.account_id = ${accountId} AND p.kind = 'bot' AND p.deleted_at IS NULL`);
  if (!bot) return null;
  return {
    id: bot.id,
    name: bot.name,
    active: bot.status === "active",
    createdAt: bot.created_at,
    createdBy: bot.created_by_id === null ? null : { id: bot.created_by_id, name: bot.created_by_name ?? "" },
    lastActivityAt: bot.last_activity_at,
    description: bot.description,
    contact: bot.contact,
    revokedCredentialCount: bot.revoked,
  };
}
