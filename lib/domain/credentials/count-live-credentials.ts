import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { principalIdsSchema } from "@/lib/domain/agent-sessions/count-live-sessions";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";

/**
 * How many credentials of the given principals (bots or people) in the actor's
 * account still work: not revoked, not expired. These are the ones a
 * deactivation stops. For owners and admins; ids of another account, or of
 * nobody, count nothing.
 */
export async function countLiveCredentials(actor: Actor, input: unknown, opts: { now?: Date } = {}): Promise<Result<number>> {
  const denied = requireManager(actor, "people");
  if (denied) return denied;
  const parsed = principalIdsSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose who to count.", fieldErrorsOf(parsed.error));
  const n = await db().credential.count({
    where: {
      accountId: actor.account.id,
      ownerId: { in: parsed.data.ids },
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: opts.now ?? new Date() } }],
    },
  });
  return ok(n);
}
