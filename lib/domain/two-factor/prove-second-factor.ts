import type { Prisma } from "@/lib/db/generated/client";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { countSignInAttempt, forgetSignInAttempts } from "@/lib/domain/access/sign-in-attempts";
import { lockPrincipals } from "@/lib/domain/principals/lock-principal";
import { fail, fieldErrorsOf, type Result } from "@/lib/domain/result";
import { twoFactorCodeSchema } from "@/lib/validation/two-factor";
import { spendSecondFactor } from "./spend-second-factor";

export const NOT_ENROLLED_MESSAGE = "Two-factor sign-in is not on.";
export const WRONG_CODE_MESSAGE = "That code is not right (or was already used).";

/**
 * For the changes a person makes to their own second factor (turn it off, new
 * recovery codes): a current code (TOTP or recovery) is asked, so a session
 * left open on someone else's screen cannot remove it. Counted by the sign-in
 * limiter (per email and per IP) like any code; spent in the caller's
 * transaction after the person's row lock. Null when proven; else the refusal
 * to return (nothing written).
 */
export async function proveSecondFactor(
  tx: Prisma.TransactionClient,
  actor: Actor & { principal: { email: string } },
  input: unknown,
  ctx: RequestContext,
): Promise<Result<never> | null> {
  const parsed = twoFactorCodeSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Enter a code.", fieldErrorsOf(parsed.error));
  const limited = await countSignInAttempt(actor.principal.email, ctx.ip);
  if (limited && !limited.ok) return fail("rate_limited", limited.refusal.message);
  await lockPrincipals(tx, [actor.principal.id]);
  const spent = await spendSecondFactor(tx, actor.principal.id, parsed.data.code);
  if (spent.ok) {
    await forgetSignInAttempts(actor.principal.email, ctx.ip);
    return null;
  }
  if (spent.reason === "not_enrolled") return fail("not_enrolled", NOT_ENROLLED_MESSAGE);
  return fail("wrong_code", WRONG_CODE_MESSAGE, { code: "That code is not right" });
}
