import type { Prisma } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";

export type EventSource = "dashboard" | "api" | "agent" | "system";

export interface EventInput {
  accountId: string;
  /** `resource.verb`, e.g. `bot.created`, `login.refused`. */
  type: string;
  /** Who did it (a person or a bot); for `login.refused`, the bot that was refused. */
  principalId: string;
  source: EventSource;
  subject?: { id: string; name: string } | null;
  ip?: string | null;
  userAgent?: string | null;
  /** What changed or why; never a secret. */
  data?: Prisma.InputJsonObject;
  createdAt?: Date;
  /** False for events the principal did not cause (e.g. a credential expiring): last activity stays. */
  activity?: boolean;
}

type EventWriter = Pick<Prisma.TransactionClient, "$executeRaw">;

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
  await tx.$executeRaw`
    WITH inserted AS (
      INSERT INTO events (id, account_id, type, principal_id, source, subject_id, subject_name, ip, user_agent, data, created_at)
      VALUES (${id}, ${input.accountId}, ${input.type}, ${input.principalId}, ${input.source}, ${input.subject?.id ?? null},
              ${input.subject?.name ?? null}, ${input.ip ?? null}, ${input.userAgent?.slice(0, 512) ?? null},
              ${JSON.stringify(input.data ?? {})}::jsonb, ${at})
      RETURNING principal_id)
    UPDATE principals SET last_activity_at = ${at}
    FROM inserted
    WHERE ${input.activity !== false} AND principals.id = inserted.principal_id
      AND (principals.last_activity_at IS NULL OR principals.last_activity_at < ${staleBefore})`;
  return id;
}

/**
 * Records an event done by the signed-in person in the dashboard: the common
 * envelope of every dashboard mutation (account, actor, source, ip, agent).
 */
export function recordActorEvent(
  tx: EventWriter,
  actor: { account: { id: string }; person: { id: string } },
  ctx: { ip: string | null; userAgent: string | null },
  event: { type: string; subject: { id: string; name: string }; data?: Prisma.InputJsonObject },
): Promise<string> {
  return recordEvent(tx, {
    accountId: actor.account.id,
    principalId: actor.person.id,
    source: "dashboard",
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    ...event,
  });
}
