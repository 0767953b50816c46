import { db } from "@/lib/db/client";
import { recordEvent } from "./record-event";

const DAY_MS = 86_400_000;

/**
 * The retention purge: deletes each account's events older than its
 * `eventRetentionDays` (default 400), in batches of `batchSize`, oldest first.
 * Events are append-only (a trigger refuses UPDATE and DELETE); this is the one
 * place that deletes, by setting the transaction-local flag `botdesk.purging`
 * for its DELETE only. Each batch records one `events.purged` (source `system`)
 * in the same transaction, so no deletion goes unrecorded even if the process
 * stops half-way. The event is attributed to the account's first owner (every
 * event needs a principal; pages show source `system` as "System"), and does not
 * touch their last activity. Safe to run from several instances: rows being
 * deleted by one are skipped by another. Returns how many events were deleted.
 */
export async function purgeExpiredEvents(now = new Date(), batchSize = 10_000): Promise<number> {
  const accounts = await db().account.findMany({ select: { id: true, eventRetentionDays: true }, orderBy: { id: "asc" } });
  let total = 0;
  for (const account of accounts) {
    const before = new Date(now.getTime() - account.eventRetentionDays * DAY_MS);
    for (;;) {
      const deleted = await db().$transaction(async (tx) => {
        await tx.$queryRaw`SELECT set_config('botdesk.purging', 'on', true)`;
        const count = await tx.$executeRaw`
          DELETE FROM events WHERE id IN (
            SELECT id FROM events WHERE account_id = ${account.id} AND created_at < ${before}
            ORDER BY created_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED)`;
        await tx.$queryRaw`SELECT set_config('botdesk.purging', 'off', true)`;
        if (count === 0) return 0;
        const [attributed] = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM (
            SELECT m.principal_id AS id, 0 AS rank, m.created_at FROM memberships m
             WHERE m.account_id = ${account.id} ORDER BY (m.role = 'owner') DESC, (m.status = 'active') DESC, m.created_at LIMIT 1) p
          UNION ALL
          SELECT id FROM (SELECT id FROM principals WHERE account_id = ${account.id} ORDER BY created_at LIMIT 1) b
          LIMIT 1`;
        if (attributed) {
          await recordEvent(tx, {
            accountId: account.id,
            type: "events.purged",
            principalId: attributed.id,
            source: "system",
            data: { before: before.toISOString(), retentionDays: account.eventRetentionDays, count },
            createdAt: now,
            activity: false,
          });
        }
        return count;
      });
      total += deleted;
      if (deleted < batchSize) break;
    }
  }
  return total;
}
