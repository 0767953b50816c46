import { countNewerEvents } from "@/lib/domain/events/list-events";
import { sessionRoute, sessionRouteError } from "@/lib/server/session-route";
import { CURSOR_PATTERN, eventsQueryFromParams } from "@/lib/validation/events";

/** How many events matching the filters are newer than `since` (at most 100): the audit log's "N new events". */
export const GET = sessionRoute("activity.new_count", async ({ url, actor }) => {
  const since = url.searchParams.get("since") ?? "";
  if (!CURSOR_PATTERN.test(since)) return sessionRouteError(400, "invalid_input", "since must be a cursor", "since");
  const count = await countNewerEvents(actor, eventsQueryFromParams(url.searchParams), since);
  return Response.json({ count }, { headers: { "Cache-Control": "no-store" } });
});
