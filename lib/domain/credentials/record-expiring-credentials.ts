import { db } from "@/lib/db/client";
import { recordEvent } from "@/lib/domain/events/record-event";
import { credentialSubjectName, credentialViewSelect, toCredentialView } from "./credential-view";

const DAY_MS = 86_400_000;

/**
 * Records `credential.expiring` (attributed to the credential's owner, source
 * `system`) 7 days and again 1 day before a live credential expires, so an
 * event stream can warn people before a bot's token lapses (a credential made
 * with less time left gets only the warnings still ahead). Not for a
 * credential replaced by rotation: its expiry is the grace period's end. Safe
 * from several instances at once: each warning is claimed by one conditional
 * update. Returns how many were recorded.
 */
export async function recordExpiringCredentials(now = new Date()): Promise<number> {
  const week = new Date(now.getTime() + 7 * DAY_MS);
  const day = new Date(now.getTime() + DAY_MS);
  return db().$transaction(async (tx) => {
    const claimed = await tx.$queryRaw<{ id: string; days: number }[]>`
      UPDATE credentials c SET expiry_warned_days = CASE WHEN c.expires_at <= ${day} THEN 1 ELSE 7 END
      WHERE c.id IN (
        SELECT id FROM credentials
        WHERE expires_at > ${now} AND expires_at <= ${week} AND expiry_recorded_at IS NULL AND revoked_at IS NULL
          AND (expiry_warned_days IS NULL OR expiry_warned_days > CASE WHEN expires_at <= ${day} THEN 1 ELSE 7 END)
        ORDER BY expires_at LIMIT 500 FOR UPDATE SKIP LOCKED)
        AND NOT EXISTS (SELECT 1 FROM credentials n WHERE n.rotated_from_id = c.id)
      RETURNING c.id, c.expiry_warned_days AS days`;
    if (claimed.length === 0) return 0;
    const rows = await tx.credential.findMany({ where: { id: { in: claimed.map((c) => c.id) } }, select: { ...credentialViewSelect, accountId: true } });
    for (const row of rows) {
      const view = toCredentialView(row, now);
      await recordEvent(tx, {
        accountId: row.accountId,
        type: "credential.expiring",
        principalId: row.owner.id,
        source: "system",
        subject: { id: row.id, name: credentialSubjectName(view) },
        data: { kind: row.kind, owner: view.owner, expiresAt: row.expiresAt?.toISOString() ?? null, daysLeft: claimed.find((c) => c.id === row.id)!.days },
        activity: false,
      });
    }
    return rows.length;
  });
}
