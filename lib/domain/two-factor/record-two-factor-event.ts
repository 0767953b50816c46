import type { Prisma } from "@/lib/db/generated/client";
import type { RequestContext } from "@/lib/domain/access/types";
import type { EventType } from "@/lib/domain/events/catalogue";
import { recordEvent } from "@/lib/domain/events/record-event";
import { activeMembershipSql } from "@/lib/domain/principals/active-in-account";

type Tx = Pick<Prisma.TransactionClient, "$executeRaw" | "$queryRaw">;

/**
 * A person's second factor guards every account they belong to, so what
 * happens to it is recorded in each account they are active in (one event per
 * account), attributed to `principalId` (the person, or whoever acted on
 * them). `except` skips an account the caller recorded in already (with
 * recordActorEvent, which also checks the actor's standing). Never a secret in
 * `data`.
 */
export async function recordInPersonAccounts(
  tx: Tx,
  personId: string,
  event: { type: EventType; principalId: string; subject: { id: string; name: string }; data?: Prisma.InputJsonObject; activity?: boolean },
  ctx: RequestContext,
  opts: { except?: string; source?: "dashboard" | "system" } = {},
): Promise<number> {
  const accounts = await tx.$queryRaw<{ account_id: string }[]>`
    SELECT m.account_id FROM memberships m JOIN principals p ON ${activeMembershipSql("m", "p")}
    WHERE p.id = ${personId}
    ORDER BY m.created_at, m.account_id`;
  let recorded = 0;
  for (const { account_id } of accounts) {
    if (account_id === opts.except) continue;
    await recordEvent(tx, { accountId: account_id, source: opts.source ?? "dashboard", ip: ctx.ip, userAgent: ctx.userAgent, ...event });
    recorded++;
  }
  return recorded;
}
