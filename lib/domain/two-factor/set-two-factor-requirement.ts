import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { twoFactorRequirementSchema } from "@/lib/validation/two-factor";
import { peopleWithoutTwoFactorSql } from "./people-without-two-factor";

export const NOT_OWNER_TWO_FACTOR = "Only owners can require two-factor sign-in for the account.";

/**
 * An owner requires (or stops requiring) two-factor sign-in for everyone in
 * the account. From the next request on, a person of the account signed in
 * with a password and without a second factor can only enrol
 * (PersonActor.mustEnrolTwoFactor, read fresh on every request), so existing
 * sessions are covered too; people who sign in through OIDC or GitHub rely on
 * that provider. Records `account.two_factor_requirement_changed` with how many
 * active people had none then; an unchanged submission records nothing.
 */
export async function setTwoFactorRequirement(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ required: boolean; peopleWithout: number }>> {
  if (actor.role !== "owner") return fail("not_owner", NOT_OWNER_TWO_FACTOR);
  const parsed = twoFactorRequirementSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose on or off.", fieldErrorsOf(parsed.error));
  const { required } = parsed.data;
  return actorTransaction(actor, async (tx) => {
    const [row] = await tx.$queryRaw<{ required: boolean; name: string }[]>`
      SELECT require_two_factor AS required, name FROM accounts WHERE id = ${actor.account.id} FOR UPDATE`;
    if (!row) return fail("not_found", "Account not found");
    const [count] = await tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM (${peopleWithoutTwoFactorSql(actor.account.id)}) w`;
    const peopleWithout = count?.n ?? 0;
    if (row.required === required) return ok({ required, peopleWithout });
    await tx.$executeRaw`UPDATE accounts SET require_two_factor = ${required} WHERE id = ${actor.account.id}`;
    await recordActorEvent(tx, actor, ctx, {
      type: "account.two_factor_requirement_changed",
      subject: { id: actor.account.id, name: row.name },
      data: { before: { requireTwoFactor: row.required }, after: { requireTwoFactor: required }, peopleWithout },
    });
    return ok({ required, peopleWithout });
  });
}
