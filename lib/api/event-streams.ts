import type { Actor } from "@/lib/domain/access/types";
import { createDestination } from "@/lib/domain/event-streams/create-destination";
import { deleteDestination } from "@/lib/domain/event-streams/delete-destination";
import type { DestinationView } from "@/lib/domain/event-streams/destination-view";
import { getDestination, listDestinationsBefore } from "@/lib/domain/event-streams/read-destinations";
import { getSubscription, listSubscriptionsBefore } from "@/lib/domain/event-streams/read-subscriptions";
import { createSubscription, deleteSubscription, updateSubscription } from "@/lib/domain/event-streams/save-subscription";
import type { SubscriptionView } from "@/lib/domain/event-streams/subscription-view";
import { updateDestination } from "@/lib/domain/event-streams/update-destination";
import { mayManageEventStreams, NOT_ADMIN_EVENT_STREAMS } from "@/lib/domain/permissions";
import { ApiError } from "./errors";
import { unwrap } from "./from-result";
import { eventDestinationCreateSchema, eventDestinationUpdateSchema, eventSourceCreateSchema, eventSubscriptionCreateSchema, eventSubscriptionUpdateSchema } from "@/lib/validation/api";
import { keysetQuery, listBody, pathId, readJsonBody, validate } from "./request";
import { apiRoute, NO_CONTENT } from "./route";

const FORBIDDEN = { forbidden: "ERR_BOTDESK_4115" } as const;

/** Event streams are an admin's view (a destination's URL says where the audit trail goes): a member's or bot's key is refused for reads too, before its body is read. */
function requireManager(actor: Actor): void {
  if (!mayManageEventStreams(actor)) throw new ApiError("ERR_BOTDESK_4115", `${NOT_ADMIN_EVENT_STREAMS}.`);
}
const destinationNotFound = () => new ApiError("ERR_BOTDESK_404", "Event destination not found.");
const subscriptionNotFound = () => new ApiError("ERR_BOTDESK_404", "Event subscription not found.");

/** ngrok's EventDestination: `target` with exactly one of its targets set; never a secret (the webhook's, in the create answer only). */
export function destinationJson(base: string, d: DestinationView, secret: string | null = null) {
  const target = d.target as Record<string, string>;
  return {
    id: d.id,
    uri: `${base}/event_destinations/${d.id}`,
    created_at: d.createdAt.toISOString(),
    description: d.description,
    metadata: d.metadata,
    format: "json",
    target: {
      webhook: d.kind === "webhook" ? { url: target.url, ...(secret ? { secret } : {}) } : null,
      datadog: d.kind === "datadog" ? { api_key: null, ddsite: target.ddsite, ddtags: target.ddtags, service: target.service } : null,
      kinesis: null,
      firehose: null,
      cloudwatch_logs: null,
    },
    failing_since: d.failingSince?.toISOString() ?? null,
  };
}

const sourceJson = (base: string, subscriptionId: string, type: string) => ({ type, uri: `${base}/event_subscriptions/${subscriptionId}/sources/${type}` });

/** ngrok's EventSubscription. */
export function subscriptionJson(base: string, s: SubscriptionView) {
  return {
    id: s.id,
    uri: `${base}/event_subscriptions/${s.id}`,
    created_at: s.createdAt.toISOString(),
    description: s.description,
    metadata: s.metadata,
    sources: s.sources.map((type) => sourceJson(base, s.id, type)),
    destinations: s.destinationIds.map((id) => ({ id, uri: `${base}/event_destinations/${id}` })),
  };
}

/** `/event_destinations`: ngrok's, for owners' and admins' keys, through the domain functions the Settings page calls. */
export const eventDestinationRoutes = {
  list: apiRoute("event_destinations.list", async ({ actor, url, base }) => {
    requireManager(actor);
    const query = keysetQuery(url);
    const page = await listDestinationsBefore(actor, query);
    const items = page.rows.map((d) => destinationJson(base, d));
    return Response.json(listBody("event_destinations", items, { hasMore: page.hasMore, limit: query.limit }, base, "/event_destinations", url));
  }),

  create: apiRoute("event_destinations.create", async ({ actor, ctx, request, base }) => {
    requireManager(actor);
    const body = await readJsonBody(request);
    validate(eventDestinationCreateSchema, body);
    const created = unwrap(await createDestination(actor, body, ctx), FORBIDDEN);
    return Response.json(destinationJson(base, created.destination, created.secret), { status: 201 });
  }),

  get: apiRoute<{ id: string }>("event_destinations.get", async ({ actor, params, base }) => {
    requireManager(actor);
    const found = await getDestination(actor, pathId(params.id));
    if (!found) throw destinationNotFound();
    return Response.json(destinationJson(base, found));
  }),

  update: apiRoute<{ id: string }>("event_destinations.update", async ({ actor, ctx, request, params, base }) => {
    requireManager(actor);
    const id = pathId(params.id);
    if (!(await getDestination(actor, id))) throw destinationNotFound();
    const body = await readJsonBody(request);
    validate(eventDestinationUpdateSchema, body);
    const updated = unwrap(await updateDestination(actor, { ...body, id }, ctx), FORBIDDEN);
    return Response.json(destinationJson(base, updated));
  }),

  remove: apiRoute<{ id: string }>("event_destinations.delete", async ({ actor, ctx, params }) => {
    requireManager(actor);
    unwrap(await deleteDestination(actor, { id: pathId(params.id) }, ctx), FORBIDDEN);
    return NO_CONTENT();
  }),
};

/** A subscription of the key's account, or 404. */
async function subscriptionOf(actor: Actor, id: string | undefined): Promise<SubscriptionView> {
  const found = await getSubscription(actor, pathId(id));
  if (!found) throw subscriptionNotFound();
  return found;
}

/** `/event_subscriptions` and their `/sources` (ngrok's EventSources: one event type each, added and removed one at a time). */
export const eventSubscriptionRoutes = {
  list: apiRoute("event_subscriptions.list", async ({ actor, url, base }) => {
    requireManager(actor);
    const query = keysetQuery(url);
    const page = await listSubscriptionsBefore(actor, query);
    const items = page.rows.map((s) => subscriptionJson(base, s));
    return Response.json(listBody("event_subscriptions", items, { hasMore: page.hasMore, limit: query.limit }, base, "/event_subscriptions", url));
  }),

  create: apiRoute("event_subscriptions.create", async ({ actor, ctx, request, base }) => {
    requireManager(actor);
    const body = await readJsonBody(request);
    validate(eventSubscriptionCreateSchema, body);
    const created = unwrap(await createSubscription(actor, body, ctx), FORBIDDEN);
    return Response.json(subscriptionJson(base, created), { status: 201 });
  }),

  get: apiRoute<{ id: string }>("event_subscriptions.get", async ({ actor, params, base }) => {
    requireManager(actor);
    return Response.json(subscriptionJson(base, await subscriptionOf(actor, params.id)));
  }),

  update: apiRoute<{ id: string }>("event_subscriptions.update", async ({ actor, ctx, request, params, base }) => {
    requireManager(actor);
    const { id } = await subscriptionOf(actor, params.id);
    const body = await readJsonBody(request);
    validate(eventSubscriptionUpdateSchema, body);
    const updated = unwrap(await updateSubscription(actor, { ...body, id }, ctx), FORBIDDEN);
    return Response.json(subscriptionJson(base, updated));
  }),

  remove: apiRoute<{ id: string }>("event_subscriptions.delete", async ({ actor, ctx, params }) => {
    requireManager(actor);
    unwrap(await deleteSubscription(actor, { id: pathId(params.id) }, ctx), FORBIDDEN);
    return NO_CONTENT();
  }),

  listSources: apiRoute<{ id: string }>("event_sources.list", async ({ actor, params, base }) => {
    requireManager(actor);
    const s = await subscriptionOf(actor, params.id);
    return Response.json({ sources: s.sources.map((type) => sourceJson(base, s.id, type)), uri: `${base}/event_subscriptions/${s.id}/sources` });
  }),

  addSource: apiRoute<{ id: string }>("event_sources.create", async ({ actor, ctx, request, params, base }) => {
    requireManager(actor);
    const s = await subscriptionOf(actor, params.id);
    const { type } = validate(eventSourceCreateSchema, await readJsonBody(request));
    const sources = s.sources.includes(type) ? s.sources : [...s.sources, type];
    unwrap(await updateSubscription(actor, { id: s.id, sources: sources.map((t) => ({ type: t })) }, ctx), FORBIDDEN);
    return Response.json(sourceJson(base, s.id, type), { status: 201 });
  }),

  getSource: apiRoute<{ id: string; type: string }>("event_sources.get", async ({ actor, params, base }) => {
    requireManager(actor);
    const s = await subscriptionOf(actor, params.id);
    if (!s.sources.includes(params.type)) throw new ApiError("ERR_BOTDESK_404", "This subscription has no such source.");
    return Response.json(sourceJson(base, s.id, params.type));
  }),

  /** ngrok's PATCH of a source changes nothing it keeps (a source is only its type): answered as a get. */
  updateSource: apiRoute<{ id: string; type: string }>("event_sources.update", async ({ actor, params, base }) => {
    requireManager(actor);
    const s = await subscriptionOf(actor, params.id);
    if (!s.sources.includes(params.type)) throw new ApiError("ERR_BOTDESK_404", "This subscription has no such source.");
    return Response.json(sourceJson(base, s.id, params.type));
  }),

  removeSource: apiRoute<{ id: string; type: string }>("event_sources.delete", async ({ actor, ctx, params }) => {
    requireManager(actor);
    const s = await subscriptionOf(actor, params.id);
    if (!s.sources.includes(params.type)) throw new ApiError("ERR_BOTDESK_404", "This subscription has no such source.");
    unwrap(await updateSubscription(actor, { id: s.id, sources: s.sources.filter((t) => t !== params.type).map((t) => ({ type: t })) }, ctx), FORBIDDEN);
    return NO_CONTENT();
  }),
};
