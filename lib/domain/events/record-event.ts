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

type EventWriter = Pick<Prisma.TransactionClient, "event" | "principal">;

/** Records one event. Call it inside the transaction of the change it describes. */
export async function recordEvent(tx: EventWriter, input: EventInput): Promise<string> {
  const id = newId("event", input.createdAt?.getTime());
  await tx.event.create({
    data: {
      id,
      accountId: input.accountId,
      type: input.type,
      principalId: input.principalId,
      source: input.source,
      subjectId: input.subject?.id ?? null,
      subjectName: input.subject?.name ?? null,
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      data: input.data ?? {},
      ...(input.createdAt ? { createdAt: input.createdAt } : {}),
    },
  });
  // Keeps "last activity" cheap to sort on; written at most once a minute per principal.
  if (input.activity === false) return id;
  const at = input.createdAt ?? new Date();
  await tx.principal.updateMany({
    where: { id: input.principalId, OR: [{ lastActivityAt: null }, { lastActivityAt: { lt: new Date(at.getTime() - 60_000) } }] },
    data: { lastActivityAt: at },
  });
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
