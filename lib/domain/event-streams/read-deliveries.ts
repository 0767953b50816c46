import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";

/** One message of a destination's delivery log (the Settings page). */
export interface DeliveryView {
  eventId: string;
  eventType: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  latencyMs: number | null;
  createdAt: Date;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
}

/** The newest messages of each of these destinations of the actor's account (callers check mayManageEventStreams), at most `limit` each. */
export async function listRecentDeliveries(actor: Actor, destinationIds: string[], limit = 20): Promise<Map<string, DeliveryView[]>> {
  const rows = await db().$queryRaw<(DeliveryView & { destinationId: string })[]>`
    SELECT d.id AS "destinationId", q.event_id AS "eventId", q.event_type AS "eventType", q.status, q.attempts, q.last_status AS "lastStatus",
           q.last_error AS "lastError", q.latency_ms AS "latencyMs", q.created_at AS "createdAt", q.delivered_at AS "deliveredAt", q.next_attempt_at AS "nextAttemptAt"
    FROM event_destinations d
    CROSS JOIN LATERAL (
      SELECT * FROM event_deliveries WHERE destination_id = d.id ORDER BY created_at DESC, event_id DESC LIMIT ${limit}) q
    WHERE d.account_id = ${actor.account.id} AND d.id = ANY(${destinationIds}::text[])`;
  const out = new Map<string, DeliveryView[]>(destinationIds.map((id) => [id, []]));
  for (const { destinationId, ...row } of rows) out.get(destinationId)?.push(row);
  return out;
}
