import { cache } from "react";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { DatabaseUnavailableError, isDatabaseUnavailable } from "@/lib/server/database-unavailable";
import { resolveSessionActor } from "@/lib/domain/access/resolve-session-actor";
import type { PersonActor, Admission } from "@/lib/domain/access/types";
import { REQUEST_ID_HEADER } from "@/lib/server/request-id";
import { OncePerRequest } from "@/lib/server/once-per-request";
import { requestContextFrom } from "@/lib/server/request-context";
import { ACCOUNT_COOKIE, clearSessionCookiesHere, presentedSession } from "./session-cookie";

export { ACCOUNT_COOKIE };

// One admission per HTTP request, also across React render scopes, so a refused
// session is recorded exactly once per request (lib/server/once-per-request.ts).
const perRequest = new OncePerRequest<Admission<PersonActor> | null>();

/**
 * The signed-in person for this request, read from the database once per
 * request, through the sign-in chokepoint. Null without a session. Throws
 * DatabaseUnavailableError (shown as "database unavailable") when the database
 * cannot be reached.
 */
export const getActor = cache(async (): Promise<Admission<PersonActor> | null> => {
  const requestHeaders = await headers();
  return perRequest.get(requestHeaders.get(REQUEST_ID_HEADER), async () => {
    try {
      const jar = await cookies();
      const session = await presentedSession(requestHeaders, jar);
      if (!session) return null;
      const accountId = jar.get(ACCOUNT_COOKIE)?.value ?? null;
      return await resolveSessionActor({ ...session, accountId }, requestContextFrom(requestHeaders));
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw new DatabaseUnavailableError(error);
      throw error;
    }
  });
});

/** Where a person whose password an admin reset must go first (and may only go). */
export const CHOOSE_PASSWORD_PATH = "/choose-password";

/** Where a person who must set up two-factor sign-in goes next (and may only go). */
export const SET_UP_TWO_FACTOR_PATH = "/set-up-two-factor";

async function admittedActor(): Promise<PersonActor> {
  const admission = await getActor();
  if (!admission) redirect("/sign-in");
  if (!admission.ok) {
    const { reason } = admission.refusal;
    if (await clearSessionCookiesHere()) redirect(`/sign-in?error=${reason}`);
    redirect(`/session/end?reason=${reason}`);
  }
  return admission.value;
}

/**
 * The actor, or a redirect: to sign-in without a session; when the session's
 * principal may no longer use the dashboard, to the sign-in page showing why,
 * with the refused session's cookies cleared (here in a server action, else
 * through /session/end, since a page cannot set cookies); when an admin reset
 * the person's password, to the page where they choose a new one; when an
 * account of theirs requires two-factor sign-in and they have none, to the page
 * where they set it up. Every dashboard layout, page and server action
 * (performAction) goes through here, so such a person reaches nothing else.
 */
export async function requireActor(): Promise<PersonActor> {
  const actor = await admittedActor();
  if (actor.mustChangePassword) redirect(CHOOSE_PASSWORD_PATH);
  if (actor.mustEnrolTwoFactor) redirect(SET_UP_TWO_FACTOR_PATH);
  return actor;
}

/** Whether the actor must finish signing in (choose a password, set up two-factor) before anything else: for route handlers, which answer instead of redirecting. */
export function mustFinishSigningIn(actor: PersonActor): boolean {
  return actor.mustChangePassword || actor.mustEnrolTwoFactor;
}

/**
 * For setting up two-factor sign-in (its page and actions, also in Settings):
 * the admitted actor, whether or not an account requires it of them; a person
 * who must choose a password does that first.
 */
export async function requireActorSettingUpTwoFactor(): Promise<PersonActor> {
  const actor = await admittedActor();
  if (actor.mustChangePassword) redirect(CHOOSE_PASSWORD_PATH);
  return actor;
}

/**
 * For the choose-a-new-password page and its action only: the admitted actor
 * whose password was reset (anyone else is sent to the dashboard).
 */
export async function requireActorChoosingPassword(): Promise<PersonActor> {
  const actor = await admittedActor();
  if (!actor.mustChangePassword) redirect("/");
  return actor;
}

/**
 * Whether this request's session, if any, would still be admitted, WITHOUT
 * recording a refusal: for /session/end, which only ends sessions the gate
 * already refused (and recorded) on the request that sent the browser there.
 */
export async function sessionStillAdmitted(): Promise<boolean> {
  const requestHeaders = await headers();
  const session = await presentedSession(requestHeaders, await cookies());
  if (!session) return false;
  const admission = await resolveSessionActor(session, requestContextFrom(requestHeaders), { record: false });
  return admission.ok;
}
