import { z } from "zod";
import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { SESSION_TIMEOUT_SECONDS } from "@/lib/domain/agent-sessions/limits";
import { canManage } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { idSchema } from "@/lib/validation/common";
import { BULK_MAX } from "@/lib/validation/limits";

const principalIdsSchema = z.object({ ids: z.array(idSchema).min(1, "Choose at least one").max(BULK_MAX) });

export interface DeactivationImpact {
  /** Credentials that still work (not revoked, not expired): a deactivation suspends them. */
  credentials: number;
  /** Live agent sessions (open, heard from within SESSION_TIMEOUT_SECONDS; older ones the sweep ends anyway): they end at their next heartbeat. */
  sessions: number;
}

/**
 * What deactivating these bots or people would stop, for the confirmation that
 * asks first. For owners and admins (who deactivate); ids of another account,
 * or of nobody, count nothing. Read only; both counts at once.
 */
export async function deactivationImpact(actor: Actor, input: unknown, opts: { now?: Date } = {}): Promise<Result<DeactivationImpact>> {
  if (!canManage(actor)) return fail("not_admin", "Only owners and admins deactivate bots and people.");
  const parsed = principalIdsSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose who to count.", fieldErrorsOf(parsed.error));
  const { ids } = parsed.data;
  const now = opts.now ?? new Date();
  const since = new Date(now.getTime() - SESSION_TIMEOUT_SECONDS * 1000);
  const [credentials, sessions] = await Promise.all([
    db().credential.count({
      where: { accountId: actor.account.id, ownerId: { in: ids }, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    }),
    // The open-sessions partial index (last_heartbeat_at WHERE ended_at IS NULL) keeps this to live rows.
    db().$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM tunnel_sessions
      WHERE ended_at IS NULL AND last_heartbeat_at >= ${since}
        AND account_id = ${actor.account.id} AND principal_id = ANY(${ids}::text[])`,
  ]);
  return ok({ credentials, sessions: Number(sessions[0]?.n ?? 0) });
}
