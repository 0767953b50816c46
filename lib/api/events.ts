import { getEvent, listEvents, type EventFields } from "@/lib/domain/events/list-events";
import { idTime } from "@/lib/ids";
import { eventsListQuerySchema } from "@/lib/validation/api";
import { eventsQuerySchema } from "@/lib/validation/events";
import { ApiError } from "./errors";
import { API_DEFAULT_LIMIT, pathId, validate } from "./request";
import { apiRoute } from "./route";

const eventJson = (base: string, e: EventFields) => ({
  id: e.id,
  uri: `${base}/events/${e.id}`,
  type: e.type,
  label: e.label,
  category: e.category,
  source: e.source,
  created_at: e.createdAt.toISOString(),
  principal: e.actor,
  subject: e.subject,
  bot_id: e.botId,
  credential: e.credential,
  ip: e.ip,
});

/** The query keys an events list reads (snake_case, as the API names them). */
const KEYS = Object.keys(eventsListQuerySchema.shape);

/**
 * `/events`: the account's activity, newest first, with the activity pages'
 * filters (listEvents: one index walk per page, no OFFSET), paged by
 * `before_id` (an event id: its time is in it, so no lookup) and `limit`.
 * Everyone in the account sees every event; IPs as mayViewIpOf allows.
 */
export const eventRoutes = {
  list: apiRoute("events.list", async ({ actor, url, base }) => {
    const raw: Record<string, string | undefined> = {};
    for (const key of KEYS) raw[key] = url.searchParams.get(key) || undefined;
    raw.before_id ??= url.searchParams.get("beforeId") || undefined;
    const q = validate(eventsListQuerySchema, raw);
    const before = q.before_id ? idTime(q.before_id) : null;
    if (q.before_id && (!before || !q.before_id.startsWith("ev_"))) throw new ApiError("ERR_BOTDESK_400", "before_id: not an event id.", { field: "before_id" });
    const custom = q.from !== undefined || q.to !== undefined;
    const limit = q.limit ?? API_DEFAULT_LIMIT;
    const page = await listEvents(
      actor,
      eventsQuerySchema.parse({
        principal: q.principal_id,
        bot: q.bot_id,
        credential: q.credential_id,
        type: q.type,
        category: q.category,
        source: q.source,
        range: custom ? "custom" : (q.range ?? "all"),
        from: q.from,
        to: q.to,
        before: q.before_id ? `${before!.getTime()}.${q.before_id}` : undefined,
        limit,
      }),
    );
    const items = page.rows.map((e) => eventJson(base, e));
    const last = items[items.length - 1];
    const next = new URLSearchParams();
    for (const key of KEYS) if (key !== "before_id" && raw[key]) next.set(key, raw[key]!);
    if (last) next.set("before_id", last.id);
    next.set("limit", String(limit));
    return Response.json({ events: items, uri: `${base}/events${url.search}`, next_page_uri: page.older && last ? `${base}/events?${next}` : null });
  }),
  get: apiRoute<{ id: string }>("events.get", async ({ actor, params, base }) => {
    const event = await getEvent(actor, pathId(params.id));
    if (!event) throw new ApiError("ERR_BOTDESK_404", "Event not found.");
    return Response.json(eventJson(base, event));
  }),
};
