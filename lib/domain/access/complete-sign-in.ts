import { db } from "@/lib/db/client";
import { forgetSignInAttempts } from "./sign-in-attempts";
import type { RequestContext } from "./types";

/**
 * The end of every password sign-in, with or without a second factor: the
 * limiter forgets this sign-in's attempts, and it shows as the person's last
 * sign-in and last activity (the same moment: "last active" is never older
 * than "last sign-in").
 */
export async function completeSignIn(person: { id: string; email: string }, ctx: RequestContext, steps = 1): Promise<void> {
  await forgetSignInAttempts(person.email, ctx.ip, steps);
  const now = new Date();
  await db().principal.update({ where: { id: person.id }, data: { lastSignInAt: now, lastActivityAt: now } });
}
