import { z } from "zod";
import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { idSchema } from "@/lib/validation/common";
import { BULK_MAX } from "@/lib/validation/limits";
import { SESSION_TIMEOUT_SECONDS } from "./limits";

export const principalIdsSchema = z.object({ ids: z.array(idSchema).min(1, "Choose at least one").max(BULK_MAX) });

/**
 * How many live agent sessions the given principals (bots or people) of the
 * actor's account have: open, with a heartbeat within SESSION_TIMEOUT_SECONDS
 * (older ones the sweep ends anyway). These are the sessions a deactivation
 * ends, at their next heartbeat. For owners and admins (who deactivate); ids
 * of another account, or of nobody, count nothing.
 */
export async function countLiveSessions(actor: Actor, input: unknown, opts: { now?: Date } = {}): Promise<Result<number>> {
  const denied = requireManager(actor, "bots");
  if (denied) return denied;
  const parsed = principalIdsSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose who to count.", fieldErrorsOf(parsed.error));
  const since = new Date((opts.now ?? new Date()).getTime() - SESSION_TIMEOUT_SECONDS * 1000);
  // The open-sessions partial index (last_heartbeat_at WHERE ended_at IS NULL) keeps this to live rows.
  const rows = await db().$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM tunnel_sessions
    WHERE ended_at IS NULL AND last_heartbeat_at >= ${since}
      AND account_id = ${actor.account.id} AND principal_id = ANY(${parsed.data.ids}::text[])`;
  return ok(Number(rows[0]?.n ?? 0));
}
