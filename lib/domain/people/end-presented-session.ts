import { resolveSessionActor } from "@/lib/domain/access/resolve-session-actor";
import type { RequestContext } from "@/lib/domain/access/types";
import { signOutEverywhere } from "./end-sessions";

/**
 * Signing out through any way out (the dashboard's button, Auth.js's own
 * sign-out page and endpoint) ends the presented session server-side: every
 * copy of its cookie, on every instance, is refused from then on. A session
 * cookie is a signed token that stays valid until it expires, so clearing it
 * in one browser alone would end nothing. Only a session the gate still admits
 * is ended (read fresh, recording nothing), so an old or forged cookie ends
 * nobody's session. Returns whether one was ended.
 */
export async function endPresentedSession(session: { subject: string; version?: number | null }, ctx: RequestContext): Promise<boolean> {
  const admission = await resolveSessionActor(session, ctx, { record: false });
  if (!admission.ok) return false;
  await signOutEverywhere(admission.value);
  return true;
}
