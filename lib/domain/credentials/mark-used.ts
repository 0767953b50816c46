import { db } from "@/lib/db/client";

/** "Last used" and "last activity" are written at most once a minute each. */
export const USE_RECORDED_EVERY_MS = 60_000;

/**
 * Real use of a credential that was accepted: its "last used" (time and IP)
 * and its owner's "last activity", each only when more than a minute stale, in
 * ONE statement (both updates are data-modifying CTEs of one query; the stale
 * conditions repeat in SQL so concurrent requests write once). Callers skip it
 * when neither value they read is stale, so most requests write nothing.
 * Refused requests never get here.
 */
export async function markCredentialUsed(use: { credentialId: string; principalId: string; ip: string | null; now: Date }): Promise<void> {
  const staleBefore = new Date(use.now.getTime() - USE_RECORDED_EVERY_MS);
  await db().$executeRaw`/* prepared */
    WITH used AS (
      UPDATE credentials SET last_used_at = ${use.now}, last_used_ip = ${use.ip}
      WHERE id = ${use.credentialId} AND (last_used_at IS NULL OR last_used_at < ${staleBefore})
      RETURNING id)
    UPDATE principals SET last_activity_at = ${use.now}
    WHERE id = ${use.principalId} AND (last_activity_at IS NULL OR last_activity_at < ${staleBefore})`;
}

/** Whether either value read with the credential is stale enough to write. */
export function isUseStale(read: { lastUsedAt: Date | null; lastActivityAt: Date | null }, now: Date): boolean {
  const staleBefore = now.getTime() - USE_RECORDED_EVERY_MS;
  return !read.lastUsedAt || read.lastUsedAt.getTime() < staleBefore || !read.lastActivityAt || read.lastActivityAt.getTime() < staleBefore;
}
