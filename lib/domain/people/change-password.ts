import { hashPassword, verifyPassword } from "@/lib/auth/password";
import type { Actor } from "@/lib/auth/types";
import { db } from "@/lib/db/client";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { changePasswordSchema } from "@/lib/validation/people";

/**
 * A person changes their own password, proving the current one. Records
 * `person.password_changed` in the same transaction (never the password).
 */
export async function changePassword(actor: Actor, input: unknown, ctx: { ip: string | null; userAgent: string | null }): Promise<Result> {
  const parsed = changePasswordSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  const person = await db().principal.findUniqueOrThrow({ where: { id: actor.person.id }, select: { passwordHash: true } });
  if (!(await verifyPassword(person.passwordHash, parsed.data.currentPassword))) {
    return fail("invalid_input", "Check the highlighted fields.", { currentPassword: "That is not your current password" });
  }
  const passwordHash = await hashPassword(parsed.data.newPassword);
  await db().$transaction(async (tx) => {
    await tx.principal.update({ where: { id: actor.person.id }, data: { passwordHash } });
    await recordActorEvent(tx, actor, ctx, {
      type: "person.password_changed",
      subject: { id: actor.person.id, name: actor.person.name },
    });
  });
  return ok(undefined);
}
