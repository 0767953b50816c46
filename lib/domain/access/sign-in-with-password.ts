import { db } from "@/lib/db/client";
import { BUSY, verifyPasswordOrBusy } from "@/lib/domain/people/password";
import { admitPrincipal, gateSelect, type GatePrincipal } from "./admit-principal";
import { hasActiveMembership } from "./has-active-membership";
import { ownerOfPresentedSecret } from "@/lib/domain/credentials/verify-credential";
import { startPendingSignIn } from "./start-pending-sign-in";
import { completeSignIn } from "./complete-sign-in";
import { rateLimited, refuse, secondFactorRequired } from "./refusals";
import { countSignInAttempt } from "./sign-in-attempts";
import { isSignInEmail } from "@/lib/validation/sign-in";
import type { Admission, RequestContext, SignInPath } from "./types";

export interface SignedInPerson {
  id: string;
  name: string;
  email: string;
  /** The person's session version when the session is issued (see resolveSessionActor). */
  sessionVersion: number;
}

/**
 * A bot's secret pasted as the password (the login is an email: a bot's name
 * or id never gets this far). With a person's email, the attempt is recorded
 * only when the bot belongs to one of that person's accounts, so a refusal
 * never lands in an account the person does not belong to (`recordAgainst` is
 * null then: the attempt is nobody's to record).
 */
async function botPresentedAs(
  input: { login: string; password: string },
  person: { id: string } | null,
): Promise<{ recordAgainst: GatePrincipal | null; path: SignInPath } | null> {
  const owner = await ownerOfPresentedSecret(input.password);
  if (owner?.kind !== "bot" || !owner.accountId) return null;
  if (person) {
    const member = await db().membership.findUnique({
      where: { accountId_principalId: { accountId: owner.accountId, principalId: person.id } },
      select: { principalId: true },
    });
    if (!member) return { recordAgainst: null, path: "credential-as-password" };
  }
  return { recordAgainst: owner, path: "credential-as-password" };
}

/**
 * Email-and-password sign-in. A login that is not an email address is refused
 * as such first ("Enter a valid email"): nothing is looked up, counted or
 * recorded. Every other attempt is counted first (per email and per IP); a
 * wrong email and a wrong password get the same answer in about the same time.
 * A refused bot is recorded exactly once per attempt, also when the attempt is
 * over the limit. A secret pasted as the password is identified
 * read-only and answered like any wrong password, so the answer never tells
 * whether a string is a real, revoked or expired token. A person with a second
 * factor is not signed in by the password: the answer is `second_factor` with
 * a pending sign-in's token, and the attempt stays counted until the code.
 */
export async function signInWithPassword(
  input: { login: string; password: string },
  ctx: RequestContext,
): Promise<Admission<SignedInPerson>> {
  if (!isSignInEmail(input.login)) return refuse("invalid_email");
  const login = input.login.trim().toLowerCase();
  const limited = await countSignInAttempt(login, ctx.ip);
  const person = await db().principal.findFirst({
    where: { kind: "person", email: login },
    select: { ...gateSelect, email: true, passwordHash: true, sessionVersion: true, twoFactor: { select: { enabledAt: true } } },
  });
  const bot = await botPresentedAs(input, person);
  if (bot) {
    // The chokepoint records the refusal; a bot is never admitted.
    if (bot.recordAgainst) await admitPrincipal(bot.recordAgainst, bot.path, ctx, { overLimit: limited !== null });
    if (limited) return limited;
    return refuse("invalid");
  }
  if (limited) return limited;

  const verified = await verifyPasswordOrBusy(person?.passwordHash, input.password);
  // Too many attempts wait for the password hasher: ask this one to come back shortly.
  if (verified === BUSY) return rateLimited(5);
  if (!verified || !person?.email) return refuse("invalid");
  const admitted = await admitPrincipal(person, "password", ctx);
  if (!admitted.ok) return admitted;
  if (!(await hasActiveMembership(person.id))) return refuse("no_account");

  // With a second factor the password alone signs nobody in: its code is asked next (signInWithSecondFactor).
  if (person.twoFactor?.enabledAt) return secondFactorRequired(await startPendingSignIn(person));

  await completeSignIn({ id: person.id, email: login }, ctx);
  return { ok: true, value: { id: person.id, name: person.name, email: person.email, sessionVersion: person.sessionVersion } };
}
