import { db } from "@/lib/db/client";
import type { RequestContext } from "@/lib/domain/access/types";
import { checkCredentialById } from "@/lib/domain/credentials/verify-credential";
import { endSessionOfRefusedCredential } from "./end-refused-session";

export interface RecheckedSession {
  id: string;
  /** Null while the session may go on; else why it ended (tunnel_sessions.end_reason, e.g. `credential_refused:revoked`). */
  endReason: string | null;
  /** While open: when its credential expires (the holder ends it then), if ever. */
  expiresAt: Date | null;
}

/**
 * Live control (lib/tunnels/control): the sessions a process holds, checked
 * against the database after something that may end them (a notification, a
 * missed one, the credential's expiry). A session already ended (the stop
 * API, the sweep) reports its end reason; an open one whose credential the
 * one check now refuses (revoked, expired, owner deactivated or deleted,
 * deleted with its bot) is ended at once (`credential_refused`, with the
 * refusal) through endSessionOfRefusedCredential; the rest go on. Unknown ids
 * are left out. At most 1,000 ids a call.
 */
export async function recheckSessions(sessionIds: string[], ctx: RequestContext, now = new Date()): Promise<RecheckedSession[]> {
  const ids = [...new Set(sessionIds)].slice(0, 1_000);
  if (ids.length === 0) return [];
  const rows = await db().$queryRaw<{ id: string; credential_id: string; ended_at: Date | null; end_reason: string | null }[]>`
    SELECT id, credential_id, ended_at, end_reason FROM tunnel_sessions WHERE id = ANY(${ids}::text[])`;
  const checked = new Map<string, Awaited<ReturnType<typeof checkCredentialById>>>();
  const out: RecheckedSession[] = [];
  for (const row of rows) {
    if (row.ended_at) {
      out.push({ id: row.id, endReason: row.end_reason ?? "ended", expiresAt: null });
      continue;
    }
    let check = checked.get(row.credential_id);
    if (!check) checked.set(row.credential_id, (check = await checkCredentialById(row.credential_id, now)));
    const { verification, expiresAt } = check;
    if (verification.ok) {
      out.push({ id: row.id, endReason: null, expiresAt });
      continue;
    }
    await endSessionOfRefusedCredential(row.credential_id, verification.reason, row.id, ctx);
    const [ended] = await db().$queryRaw<{ end_reason: string | null }[]>`SELECT end_reason FROM tunnel_sessions WHERE id = ${row.id}`;
    out.push({ id: row.id, endReason: ended?.end_reason ?? `credential_refused:${verification.reason}`, expiresAt: null });
  }
  return out;
}
