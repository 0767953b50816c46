import { db } from "@/lib/db/client";
import { REFUSALS_RECORDED_PER_MINUTE } from "./authenticate-credential";
import { recordInPersonAccounts } from "@/lib/domain/two-factor/record-two-factor-event";
import { spendSecondFactor, type SpendRefusal } from "@/lib/domain/two-factor/spend-second-factor";
import { admitPrincipal, gateSelect } from "./admit-principal";
import { completeSignIn } from "./complete-sign-in";
import { hasActiveMembership } from "./has-active-membership";
import { consumeRateLimit } from "./rate-limit";
import { refuse } from "./refusals";
import { countSignInAttempt } from "./sign-in-attempts";
import type { SignedInPerson } from "./sign-in-with-password";
import { pendingSignInId } from "./start-pending-sign-in";
import type { Admission, RequestContext } from "./types";

/** Thrown inside the transaction to roll back the pending sign-in's deletion when the code is refused. */
class CodeRefused extends Error {
  constructor(readonly reason: SpendRefusal) {
    super(reason);
  }
}

/**
 * The second step of a password sign-in: the pending sign-in's token (from the
 * browser's httpOnly cookie, set after the right password) and a code, TOTP or
 * recovery. Counted by the same limiter as passwords, per email and per IP,
 * before anything is checked: a wrong code is a failed attempt. The person is
 * read again and goes through the chokepoint (admitPrincipal: a bot never
 * passes; a person deactivated meanwhile is refused), and their session
 * version must still be the one the password was checked under. The pending
 * sign-in is consumed and the code spent in ONE transaction: of two requests
 * with the same pending sign-in, one completes; a refused code leaves the
 * pending sign-in for another try (until it expires or the limit is reached).
 * A refused code is recorded as `login.code_refused` (at most
 * REFUSALS_RECORDED_PER_MINUTE per person a minute), a recovery code used as
 * `login.recovery_code_used`, in each of the person's accounts.
 */
export async function signInWithSecondFactor(input: { pending: string; code: string }, ctx: RequestContext): Promise<Admission<SignedInPerson>> {
  const id = pendingSignInId(input.pending);
  const pending = await db().pendingSignIn.findUnique({ where: { id }, select: { principalId: true, sessionVersion: true, expiresAt: true } });
  if (!pending || pending.expiresAt.getTime() <= Date.now()) return refuse("sign_in_expired");
  const person = await db().principal.findUnique({ where: { id: pending.principalId }, select: { ...gateSelect, email: true, sessionVersion: true } });
  if (!person) return refuse("sign_in_expired");

  const limited = await countSignInAttempt(person.email ?? person.id, ctx.ip);
  // The chokepoint first: whatever the pending sign-in names, a bot is refused (and recorded, once per attempt).
  const admitted = await admitPrincipal(person, "second-factor", ctx, { overLimit: limited !== null });
  if (limited) return limited;
  if (!admitted.ok) return admitted;
  if (!person.email) return refuse("sign_in_expired");
  if (!(await hasActiveMembership(person.id))) return refuse("no_account");
  if (person.sessionVersion !== pending.sessionVersion) return refuse("sign_in_expired");

  try {
    await db().$transaction(async (tx) => {
      const consumed = await tx.pendingSignIn.deleteMany({ where: { id, expiresAt: { gt: new Date() } } });
      if (consumed.count !== 1) throw new CodeRefused("not_enrolled");
      const spent = await spendSecondFactor(tx, person.id, input.code);
      if (!spent.ok) throw new CodeRefused(spent.reason);
      if (spent.factor.kind === "recovery") {
        await recordInPersonAccounts(tx, person.id, {
          type: "login.recovery_code_used",
          principalId: person.id,
          subject: { id: person.id, name: person.name },
          data: { remaining: spent.factor.remaining },
        }, ctx);
      }
    });
  } catch (error) {
    if (!(error instanceof CodeRefused)) throw error;
    // Consumed by a parallel request (or expired meanwhile), or no second factor any more (reset): start over.
    if (error.reason === "not_enrolled") return refuse("sign_in_expired");
    await recordCodeRefused(person, error.reason, ctx);
    return refuse("wrong_code");
  }
  await completeSignIn({ id: person.id, email: person.email }, ctx, 2);
  return { ok: true, value: { id: person.id, name: person.name, email: person.email, sessionVersion: person.sessionVersion } };
}

async function recordCodeRefused(person: { id: string; name: string }, reason: SpendRefusal, ctx: RequestContext): Promise<void> {
  const flood = await consumeRateLimit(`refused:code:${person.id}`, REFUSALS_RECORDED_PER_MINUTE, 60);
  if (flood.limited) return;
  await recordInPersonAccounts(db(), person.id, {
    type: "login.code_refused",
    principalId: person.id,
    subject: { id: person.id, name: person.name },
    data: { reason },
    // Someone tried to sign in as the person; the person did nothing.
    activity: false,
  }, ctx);
}
