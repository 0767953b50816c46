import { db } from "@/lib/db/client";
import type { RequestContext } from "@/lib/domain/access/types";
import type { CredentialRefusalReason } from "@/lib/domain/credentials/verify-credential";
import { endSessions } from "./end-sessions";

/** Refusals that prove the secret matched: the credential is real, only no longer usable. */
const MATCHED: ReadonlySet<CredentialRefusalReason> = new Set(["revoked", "expired", "owner_deactivated", "owner_deleted"]);

/**
 * A session's request was refused because its credential can no longer be
 * used (the owner deactivated or deleted, the credential revoked or expired):
 * the session ends at once (`credential_refused`, with the refusal), so a
 * deactivated bot's sessions end on their next heartbeat, report, bind or
 * SSH key check. `credentialId` is the id the refused credential claims
 * (authenticateCredential's refusal carries it). Only for a credential that
 * matched (the refusal says so), or one deleted with its bot, and only the
 * session that credential started; anything else changes nothing. Not an
 * actor's change (its actor is what was refused): source agent, in a
 * transaction of its own. Returns whether it ended one.
 */
export async function endSessionOfRefusedCredential(
  credentialId: string | null,
  reason: CredentialRefusalReason,
  sessionId: string,
  ctx: RequestContext,
): Promise<boolean> {
  if (!credentialId || reason === "malformed") return false;
  const ended = await db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string; credential_gone: boolean }[]>`
      SELECT s.id, NOT EXISTS (SELECT 1 FROM credentials c WHERE c.id = s.credential_id) AS credential_gone
      FROM tunnel_sessions s
      WHERE s.id = ${sessionId} AND s.credential_id = ${credentialId} AND s.ended_at IS NULL FOR UPDATE`;
    // An unknown secret proves nothing, unless its credential no longer exists
    // at all (deleted with its bot): then no secret can ever drive the session again.
    const row = rows[0];
    if (!row || (!MATCHED.has(reason) && !row.credential_gone)) return [];
    const refusal = MATCHED.has(reason) ? reason : "credential_deleted";
    return endSessions(tx, [row.id], "credential_refused", { source: "agent", ip: ctx.ip, userAgent: ctx.userAgent, refusal });
  });
  return ended.length > 0;
}
