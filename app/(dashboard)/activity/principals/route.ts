import { SEARCH_MAX_LENGTH, searchPrincipalOptions } from "@/lib/domain/events/principal-options";
import { sessionRoute, sessionRouteError } from "@/lib/server/session-route";
import { filterTextSchema } from "@/lib/validation/common";

/** The activity filters' "find by name": the account's people and bots whose name contains `q` (at most 20 of each). */
export const GET = sessionRoute("activity.principals", async ({ url, actor }) => {
  const raw = url.searchParams.get("q") ?? "";
  if (raw.length > SEARCH_MAX_LENGTH) return sessionRouteError(400, "invalid_input", `q: at most ${SEARCH_MAX_LENGTH} characters`, "q");
  // As every list's filter text: control characters (a NUL the database refuses) are in no name, so they search nothing.
  const q = filterTextSchema(SEARCH_MAX_LENGTH).parse(raw);
  return Response.json(await searchPrincipalOptions(actor, q), { headers: { "Cache-Control": "no-store" } });
});
