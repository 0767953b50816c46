import { z } from "zod";
import { hashPassword, verifyPassword } from "./password";
import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { changePasswordSchema } from "@/lib/validation/people";
import { endSessions } from "./end-sessions";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

const sessionChoiceSchema = z.object({ signOutOtherSessions: z.boolean().default(false) });

/**
 * A person changes their own password, proving the current one. Records
 * `person.password_changed` in the same transaction (never the password).
 * With `signOutOtherSessions`, every session of this person ends in the same
 * transaction; the caller re-issues the current one under the returned version.
 */
export async function changePassword(
  actor: Actor,
  input: unknown,
  ctx: { ip: string | null; userAgent: string | null },
): Promise<Result<{ sessionsEnded: boolean; sessionVersion: number | null }>> {
  const parsed = changePasswordSchema.safeParse(input);
  const choice = sessionChoiceSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  if (!choice.success) return fail("invalid_input", "Check the highlighted fields.", fieldErrorsOf(choice.error));
  const { signOutOtherSessions } = choice.data;
  const person = await db().principal.findUniqueOrThrow({ where: { id: actor.principal.id }, select: { passwordHash: true } });
  if (!(await verifyPassword(person.passwordHash, parsed.data.currentPassword))) {
    return fail("invalid_input", "Check the highlighted fields.", { currentPassword: "That is not your current password" });
  }
  const passwordHash = await hashPassword(parsed.data.newPassword);
  const changed = await actorTransaction(actor, async (tx) => {
    await tx.principal.update({ where: { id: actor.principal.id }, data: { passwordHash, mustChangePassword: false } });
    await recordActorEvent(tx, actor, ctx, {
      type: "person.password_changed",
      subject: { id: actor.principal.id, name: actor.principal.name },
      data: { otherSessionsEnded: signOutOtherSessions },
    });
    return ok(signOutOtherSessions ? await endSessions(tx, actor.principal.id) : null);
  });
  if (!changed.ok) return changed;
  return ok({ sessionsEnded: signOutOtherSessions, sessionVersion: changed.data });
}
