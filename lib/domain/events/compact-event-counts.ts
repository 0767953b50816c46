import { db } from "@/lib/db/client";

/**
 * Folds the daily roll-up's pending deltas (`event_counts_daily_pending`, one
 * row per statement that recorded or purged events) into `event_counts_daily`,
 * in one transaction (SQL function `event_counts_daily_compact`, migration
 * 20261129014500_event_counts_daily_pending). The chart reads both, so its
 * figures are the same before and after; this only keeps the pending table
 * small. Safe from several instances at once: one compacts, the others return
 * null at once. Returns how many deltas were folded, or null if another
 * compaction was running.
 */
export async function compactEventCounts(): Promise<number | null> {
  const [row] = await db().$queryRaw<{ folded: bigint | null }[]>`SELECT event_counts_daily_compact() AS folded`;
  return row?.folded == null ? null : Number(row.folded);
}
