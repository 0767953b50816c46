import { randomBytes } from "node:crypto";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { mayManageEventStreams, NOT_ADMIN_EVENT_STREAMS } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { sealDestinationSecret } from "@/lib/domain/two-factor/secret-box";
import { newId } from "@/lib/ids";
import { createDestinationSchema } from "@/lib/validation/event-streams";
import { deliveryUrl, destinationView, destinationViewSelect, type DestinationView, type StoredTarget } from "./destination-view";
import { resolveSafely } from "./safe-address";

/** A new webhook signing secret, Standard Webhooks' form: `whsec_` and 32 random bytes in base64. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

/**
 * Adds an event destination to the actor's account: a webhook (a signing
 * secret is made, returned here once as `secret`, and sealed in the row) or
 * Datadog's logs intake (its API key sealed likewise). Owners and admins only
 * (mayManageEventStreams). Its URL must resolve only to public addresses (or
 * ranges BOTDESK_DESTINATION_ALLOW lists), checked now and at every delivery.
 * Records `event_destination.created` (never the secret) in the same transaction.
 */
export async function createDestination(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ destination: DestinationView; secret: string | null }>> {
  if (!mayManageEventStreams(actor)) return fail("not_admin", NOT_ADMIN_EVENT_STREAMS);
  const parsed = createDestinationSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the destination's fields.", fieldErrorsOf(parsed.error));
  const { description, metadata, target } = parsed.data;
  const stored: StoredTarget =
    target.kind === "webhook" ? { url: target.webhook.url } : { ddsite: target.datadog.ddsite, ddtags: target.datadog.ddtags, service: target.datadog.service };
  const refusal = await unsafeTarget(target.kind, stored);
  if (refusal) return refusal;
  const secret = target.kind === "webhook" ? newWebhookSecret() : target.datadog.api_key;
  const id = newId("eventDestination");
  return actorTransaction(actor, async (tx) => {
    const row = await tx.eventDestination.create({
      data: { id, accountId: actor.account.id, kind: target.kind, target: stored, secretSealed: sealDestinationSecret(secret, id), description, metadata },
      select: destinationViewSelect,
    });
    await recordActorEvent(tx, actor, ctx, {
      type: "event_destination.created",
      subject: { id, name: description || target.kind },
      data: { after: { kind: target.kind, target: stored, description, metadata } },
    });
    return ok({ destination: destinationView(row), secret: target.kind === "webhook" ? secret : null });
  });
}

/**
 * The refusal of a target whose URL reaches a loopback, link-local, private or
 * metadata address, or null. A name that does not resolve now is accepted
 * (DNS may be down for a moment): every delivery checks it again.
 */
export async function unsafeTarget(kind: DestinationView["kind"], target: StoredTarget): Promise<Result<never> | null> {
  const resolved = await resolveSafely(deliveryUrl(kind, target));
  if (resolved.ok || resolved.unresolved) return null;
  const message = `${kind === "webhook" ? "webhook.url" : "datadog"}: ${resolved.reason}`;
  return fail("invalid_input", message, { target: message });
}
