import { db } from "@/lib/db/client";
import { recordUsage } from "./record-usage";

/** Traffic one tunnel session carried since its last write: bytes each way (headers included) and HTTP requests. */
export interface CarriedTraffic {
  sessionId: string;
  accountId: string;
  /** The session's principal, to whom the usage is attributed. */
  principalId: string;
  /** Bytes from clients to the agent. */
  bytesIn: number;
  /** Bytes from the agent to clients. */
  bytesOut: number;
  requests: number;
}

/**
 * Writes traffic the ingress carried (lib/tunnels/metering): adds each
 * session's bytes and requests to its totals (tunnel_sessions, open or already
 * ended: bytes still in flight when a session ends count too) and to its
 * principal's usage of the day (usage_daily through recordUsage), in one
 * transaction, so the two never disagree. Counters saturate instead of
 * overflowing (saturating_add). Sessions are written in id order and principals
 * in (account, principal) order, so two instances flushing at once never
 * deadlock. Throws RangeError on an amount that is not a non-negative safe
 * integer (the meter clamps).
 */
export async function recordCarriedTraffic(batch: readonly CarriedTraffic[], opts: { now?: Date } = {}): Promise<void> {
  const now = opts.now ?? new Date();
  for (const t of batch) {
    for (const v of [t.bytesIn, t.bytesOut, t.requests]) {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`recordCarriedTraffic: amounts must be non-negative whole numbers, got ${v}`);
    }
  }
  const sessions = batch.filter((t) => t.bytesIn || t.bytesOut || t.requests).sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  if (sessions.length === 0) return;
  const usage = new Map<string, CarriedTraffic>();
  for (const t of sessions) {
    const key = `${t.accountId} ${t.principalId}`;
    const sum = usage.get(key) ?? { ...t, bytesIn: 0, bytesOut: 0, requests: 0 };
    // Sums of safe integers stay exact far beyond any 10 s of traffic; recordUsage refuses the rest.
    usage.set(key, { ...sum, bytesIn: Math.min(sum.bytesIn + t.bytesIn, Number.MAX_SAFE_INTEGER), bytesOut: Math.min(sum.bytesOut + t.bytesOut, Number.MAX_SAFE_INTEGER), requests: Math.min(sum.requests + t.requests, Number.MAX_SAFE_INTEGER) });
  }
  await db().$transaction(async (tx) => {
    for (const t of sessions) {
      await tx.$executeRaw`
        UPDATE tunnel_sessions
        SET bytes_in = saturating_add(bytes_in, ${t.bytesIn}::bigint), bytes_out = saturating_add(bytes_out, ${t.bytesOut}::bigint), requests = saturating_add(requests, ${t.requests}::bigint)
        WHERE id = ${t.sessionId}`;
    }
    for (const key of [...usage.keys()].sort()) {
      const t = usage.get(key)!;
      await recordUsage(tx, { accountId: t.accountId, principalId: t.principalId, day: now, bytesIn: t.bytesIn, bytesOut: t.bytesOut, tunnelRequests: t.requests });
    }
  });
}
