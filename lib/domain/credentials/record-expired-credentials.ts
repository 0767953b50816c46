import { db } from "@/lib/db/client";
import { recordEvent } from "@/lib/domain/events/record-event";
import { credentialSubjectName, credentialViewSelect, toCredentialView } from "./credential-view";

/**
 * Records one `credential.expired` event (attributed to the credential's owner,
 * source `system`) for each credential whose expiry has passed and was not yet
 * recorded. Safe to run from several instances at once: the claim is a single
 * conditional update. Returns how many were recorded.
 */
export async function recordExpiredCredentials(now = new Date()): Promise<number> {
  return db().$transaction(async (tx) => {
    const claimed = await tx.$queryRaw<{ id: string }[]>`
      UPDATE credentials SET expiry_recorded_at = ${now}
      WHERE id IN (
        SELECT id FROM credentials
        WHERE expires_at <= ${now} AND expiry_recorded_at IS NULL AND revoked_at IS NULL
        ORDER BY expires_at LIMIT 500 FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    if (claimed.length === 0) return 0;
    const rows = await tx.credential.findMany({
      where: { id: { in: claimed.map((c) => c.id) } },
      select: { ...credentialViewSelect, accountId: true },
    });
    for (const row of rows) {
      const view = toCredentialView(row, now);
      await recordEvent(tx, {
        accountId: row.accountId,
        type: "credential.expired",
        principalId: row.owner.id,
        source: "system",
        subject: { id: row.id, name: credentialSubjectName(view) },
        data: { kind: row.kind, owner: view.owner, expiredAt: row.expiresAt?.toISOString() ?? null },
        createdAt: row.expiresAt && row.expiresAt < now ? row.expiresAt : now,
        activity: false,
      });
    }
    return rows.length;
  });
}
