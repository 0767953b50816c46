import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { mayManageEventStreams, NOT_ADMIN_EVENT_STREAMS } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { sealDestinationSecret } from "@/lib/domain/two-factor/secret-box";
import type { Prisma } from "@/lib/db/generated/client";
import { updateDestinationSchema } from "@/lib/validation/event-streams";
import { unsafeTarget } from "./create-destination";
import { getDestination } from "./read-destinations";
import { destinationView, destinationViewSelect, EVENT_DESTINATION_NOT_FOUND, type DestinationView, type StoredTarget } from "./destination-view";

/**
 * Changes a destination's description, metadata or target (absent fields
 * stay). The kind never changes (remove it and add another); a webhook keeps
 * its signing secret, a Datadog target keeps its API key unless a new one is
 * given. A new URL is checked as on creation. Owners and admins only; records
 * `event_destination.updated` with the fields changed (never a secret).
 */
export async function updateDestination(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<DestinationView>> {
  if (!mayManageEventStreams(actor)) return fail("not_admin", NOT_ADMIN_EVENT_STREAMS);
  const parsed = updateDestinationSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the destination's fields.", fieldErrorsOf(parsed.error));
  const { id, description, metadata, target } = parsed.data;
  const current = await getDestination(actor, id);
  if (!current) return fail("not_found", EVENT_DESTINATION_NOT_FOUND);
  let stored: StoredTarget | undefined;
  let newSecret: string | undefined;
  if (target) {
    if (target.kind !== current.kind) {
      const message = `A ${current.kind} destination stays one: remove it and add a ${target.kind} destination`;
      return fail("invalid_input", message, { target: message });
    }
    stored = target.kind === "webhook" ? { url: target.webhook.url } : { ddsite: target.datadog.ddsite, ddtags: target.datadog.ddtags, service: target.datadog.service };
    if (target.kind === "datadog" && target.datadog.api_key) newSecret = target.datadog.api_key;
    const refusal = await unsafeTarget(current.kind, stored);
    if (refusal) return refusal;
  }
  return actorTransaction(actor, async (tx) => {
    const before = await tx.eventDestination.findFirst({ where: { id, accountId: actor.account.id }, select: destinationViewSelect });
    if (!before) return fail("not_found", EVENT_DESTINATION_NOT_FOUND);
    const changes: Prisma.EventDestinationUpdateInput = {};
    const was: Record<string, Prisma.InputJsonValue> = {};
    const now: Record<string, Prisma.InputJsonValue> = {};
    if (description !== undefined && description !== before.description) [changes.description, was.description, now.description] = [description, before.description, description];
    if (metadata !== undefined && metadata !== before.metadata) [changes.metadata, was.metadata, now.metadata] = [metadata, before.metadata, metadata];
    if (stored && JSON.stringify(stored) !== JSON.stringify(before.target)) [changes.target, was.target, now.target] = [stored, before.target as Prisma.InputJsonValue, stored];
    if (newSecret) {
      changes.secretSealed = sealDestinationSecret(newSecret, id);
      now.apiKeyChanged = true;
    }
    if (Object.keys(changes).length === 0) return ok(destinationView(before));
    const row = await tx.eventDestination.update({ where: { id }, data: changes, select: destinationViewSelect });
    await recordActorEvent(tx, actor, ctx, { type: "event_destination.updated", subject: { id, name: row.description || row.kind }, data: { before: was, after: now } });
    return ok(destinationView(row));
  });
}
