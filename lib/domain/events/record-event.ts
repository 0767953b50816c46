import type { Actor } from "@/lib/domain/access/types";
import type { Prisma } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import type { EventType } from "./catalogue";

export type EventSource = "dashboard" | "api" | "agent" | "system";

export type SubjectKind = "bot" | "person" | "credential" | "account";

const KIND_OF_PREFIX: Record<string, SubjectKind> = { bot: "bot", usr: "person", ac: "account", cr: "credential", ak: "credential", sshcr: "credential" };

/** What an id names, from its prefix (`bot_…`, `usr_…`, `ak_…`). */
export function kindOfId(id: string): SubjectKind | null {
  return KIND_OF_PREFIX[id.slice(0, id.indexOf("_"))] ?? null;
}

export interface EventInput {
  accountId: string;
  /** `resource.verb`, e.g. `bot.created`, `login.refused`: one of the catalogue's types (catalogue.ts). */
  type: EventType;
  /** Who did it (a person or a bot); for `login.refused`, the bot that was refused. */
  principalId: string;
  source: EventSource;
  subject?: { id: string; name: string } | null;
  /**
   * The bot the event concerns when neither the principal nor the subject is
   * that bot: the owner of a credential the event is about. (A bot principal or
   * bot subject is found from the ids.)
   */
  botId?: string | null;
  /** The credential the action was done with (API and agents). */
  credential?: { id: string; display: string } | null;
  ip?: string | null;
  userAgent?: string | null;
  /** What changed or why; never a secret. */
  data?: Prisma.InputJsonObject;
  createdAt?: Date;
  /** False for events the principal did not cause (e.g. a credential expiring): last activity stays. */
  activity?: boolean;
}

type EventWriter = Pick<Prisma.TransactionClient, "$executeRaw">;

/** The bot an event concerns: the bot that acted, else the bot it is about, else the bot owning the credential it is about. */
function botOf(input: EventInput): string | null {
  if (kindOfId(input.principalId) === "bot") return input.principalId;
  if (input.subject && kindOfId(input.subject.id) === "bot") return input.subject.id;
  return input.botId ?? null;
}

/**
 * Records one event. Call it inside the transaction of the change it describes.
 * One statement: the insert, and (unless `activity` is false) the principal's
 * "last activity", which keeps that column cheap to sort on and is written only
 * when it is more than a minute stale, so most events write one row.
 */
export async function recordEvent(tx: EventWriter, input: EventInput): Promise<string> {
  const at = input.createdAt ?? new Date();
  const id = newId("event", at.getTime());
  const staleBefore = new Date(at.getTime() - 60_000);
  const subjectKind = input.subject ? kindOfId(input.subject.id) : null;
  await tx.$executeRaw`/* prepared */
    WITH inserted AS (
      INSERT INTO events (id, account_id, type, principal_id, source, subject_id, subject_name, subject_kind, bot_id,
                          credential_id, credential_display, ip, user_agent, data, created_at)
      VALUES (${id}, ${input.accountId}, ${input.type}, ${input.principalId}, ${input.source}, ${input.subject?.id ?? null},
              ${input.subject?.name ?? null}, ${subjectKind}, ${botOf(input)}, ${input.credential?.id ?? null},
              ${input.credential?.display ?? null}, ${input.ip ?? null}, ${input.userAgent?.slice(0, 512) ?? null},
              ${JSON.stringify(input.data ?? {})}::jsonb, ${at})
      RETURNING principal_id)
    UPDATE principals SET last_activity_at = ${at}
    FROM inserted
    WHERE ${input.activity !== false} AND principals.id = inserted.principal_id
      AND (principals.last_activity_at IS NULL OR principals.last_activity_at < ${staleBefore})`;
  return id;
}

/**
 * Records an event done by an actor — a person in the dashboard, or a person or
 * bot through the API or an agent: the common envelope of every mutation
 * (account, principal, source, credential used, ip, user agent).
 */
export function recordActorEvent(
  tx: EventWriter,
  actor: Pick<Actor, "account" | "principal" | "source" | "credential">,
  ctx: { ip: string | null; userAgent: string | null },
  event: { type: EventType; subject: { id: string; name: string } | null; botId?: string | null; data?: Prisma.InputJsonObject },
): Promise<string> {
  return recordEvent(tx, {
    accountId: actor.account.id,
    principalId: actor.principal.id,
    source: actor.source,
    credential: actor.credential,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    ...event,
  });
}
