import { cache } from "react";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { auth } from "./config";
import { resolveSessionActor, type Admission } from "./gate";
import { requestContextFrom } from "./request-context";
import type { Actor } from "./types";

export const ACCOUNT_COOKIE = "botdesk-account";

/**
 * The signed-in person for this request, read from the database once per
 * request (React `cache`), through the sign-in chokepoint. Null without a session.
 */
export const getActor = cache(async (): Promise<Admission<Actor> | null> => {
  const session = await auth();
  const subject = session?.user?.id;
  if (!subject) return null;
  const accountId = (await cookies()).get(ACCOUNT_COOKIE)?.value ?? null;
  return resolveSessionActor({ subject, accountId }, requestContextFrom(await headers()));
});

/**
 * The actor, or a redirect: to sign-in without a session, and through
 * /session/end (which clears the refused session's cookie) when the session's
 * principal may no longer use the dashboard.
 */
export async function requireActor(): Promise<Actor> {
  const admission = await getActor();
  if (!admission) redirect("/sign-in");
  if (!admission.ok) redirect(`/session/end?reason=${admission.refusal.reason}`);
  return admission.value;
}
