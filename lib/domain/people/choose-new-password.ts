import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { chooseNewPasswordSchema } from "@/lib/validation/people";
import { endSessions } from "./end-sessions";
import { hashPassword, verifyPassword } from "./password";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

export const NOTHING_TO_CHOOSE_MESSAGE = "Your password has already been changed. Use it to sign in.";
export const RESET_AGAIN_MESSAGE = "An admin has just reset your password again. Sign in with the new one-time password.";

/**
 * After an admin reset their password (resetPassword), the person chooses a
 * new one: only while `mustChangePassword` is set, never the one-time password
 * again. Clears the flag and ends every session in the same transaction
 * (anyone else who signed in with the one-time password is out); the caller
 * re-issues the current session under the returned version. Records
 * `person.password_changed`. Two submissions at once: exactly one wins (the
 * flag is cleared by a conditional update), and an admin's reset that lands
 * between the check and the change wins over it (the update also requires the
 * one-time password's hash it checked against).
 */
export async function chooseNewPassword(
  actor: Actor,
  input: unknown,
  ctx: RequestContext,
): Promise<Result<{ sessionVersion: number }>> {
  const parsed = chooseNewPasswordSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  const person = await db().principal.findUnique({
    where: { id: actor.principal.id },
    select: { kind: true, passwordHash: true, mustChangePassword: true },
  });
  if (!person || person.kind !== "person" || !person.mustChangePassword) return fail("not_required", NOTHING_TO_CHOOSE_MESSAGE);
  if (await verifyPassword(person.passwordHash, parsed.data.newPassword)) {
    return fail("invalid_input", "Check the highlighted fields.", { newPassword: "Choose a password of your own, not the one-time password" });
  }
  const passwordHash = await hashPassword(parsed.data.newPassword);
  return actorTransaction(actor, async (tx) => {
    const { count } = await tx.principal.updateMany({
      where: { id: actor.principal.id, mustChangePassword: true, passwordHash: person.passwordHash },
      data: { passwordHash, mustChangePassword: false },
    });
    if (count !== 1) {
      const now = await tx.principal.findUnique({ where: { id: actor.principal.id }, select: { mustChangePassword: true } });
      return now?.mustChangePassword ? fail("reset_again", RESET_AGAIN_MESSAGE) : fail("not_required", NOTHING_TO_CHOOSE_MESSAGE);
    }
    const sessionVersion = await endSessions(tx, actor.principal.id);
    await recordActorEvent(tx, actor, ctx, {
      type: "person.password_changed",
      subject: { id: actor.principal.id, name: actor.principal.name },
      data: { otherSessionsEnded: true },
    });
    return ok({ sessionVersion });
  });
}
