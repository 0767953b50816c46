import { hashPassword, oneTimePassword } from "./password";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { requireManager } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { newId } from "@/lib/ids";
import { addPersonSchema } from "@/lib/validation/people-admin";
import { lockAccount, refuseUnlessOwner, refuseWithoutFreeSeat } from "./guards";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

const alreadyMember = () => fail("already_member", "Check the highlighted fields.", { email: "This person is already in this account" });

/**
 * Adds a person to the actor's account, using a seat: refused when every seat
 * is taken (bots are never limited this way). A new person gets a one-time
 * initial password, returned once and stored only as a hash; a person who
 * already has a Botdesk user keeps their password. Records `person.added`.
 */
export async function addPerson(
  actor: Actor,
  input: unknown,
  ctx: RequestContext,
): Promise<Result<{ id: string; email: string; initialPassword: string | null }>> {
  const denied = requireManager(actor, "people");
  if (denied) return denied;
  const parsed = addPersonSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  const { email, name, role } = parsed.data;
  const notOwner = refuseUnlessOwner(actor, role === "owner");
  if (notOwner) return notOwner;

  // Cheap refusals first: hashing a password is deliberately slow.
  const known = await db().principal.findUnique({
    where: { email },
    select: { status: true, memberships: { where: { accountId: actor.account.id }, select: { role: true } } },
  });
  if (known?.memberships.length) return alreadyMember();
  if (known && known.status !== "active") {
    return fail("user_disabled", "Check the highlighted fields.", { email: "This person's Botdesk user is deactivated" });
  }
  const password = known ? null : oneTimePassword();
  const passwordHash = password ? await hashPassword(password) : null;
  return actorTransaction(actor, async (tx) => {
    const { seatLimit } = await lockAccount(tx, actor.account.id);
    const existing = await tx.principal.findUnique({ where: { email }, select: { id: true, kind: true } });
    if (existing) {
      const member = await tx.membership.findUnique({
        where: { accountId_principalId: { accountId: actor.account.id, principalId: existing.id } },
        select: { role: true },
      });
      if (member) return alreadyMember();
    }
    const noSeat = await refuseWithoutFreeSeat(tx, actor.account.id, seatLimit);
    if (noSeat) return noSeat;

    const id = existing?.id ?? newId("person");
    if (!existing) {
      if (!password || !passwordHash) return fail("conflict", "This person was just added as a user elsewhere. Try again.");
      await tx.principal.create({ data: { id, kind: "person", name, email, passwordHash, createdById: actor.principal.id } });
    }
    await tx.membership.create({ data: { accountId: actor.account.id, principalId: id, role } });
    await recordActorEvent(tx, actor, ctx, {
      type: "person.added",
      subject: { id, name },
      data: { after: { email, role }, newUser: !existing },
    });
    return ok({ id, email, initialPassword: existing ? null : password });
  });
}
