import type { Actor } from "@/lib/domain/access/types";
import { eventsQuerySchema } from "@/lib/validation/events";
import { listEvents, type EventRow } from "./list-events";

/**
 * The newest events of the actor's account (the Overview), under the feeds'
 * rule: every member sees what happened; only admins see other principals' IP
 * addresses (members see their own).
 */
export async function listRecentEvents(actor: Actor, limit = 10): Promise<EventRow[]> {
  return (await listEvents(actor, eventsQuerySchema.parse({ limit: String(limit) }))).rows;
}
