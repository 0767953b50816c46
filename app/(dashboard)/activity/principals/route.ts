import { SEARCH_MAX_LENGTH, searchPrincipalOptions } from "@/lib/domain/events/principal-options";
import { sessionRoute, sessionRouteError } from "@/lib/server/session-route";

/** The activity filters' "find by name": the account's people and bots whose name contains `q` (at most 20 of each). */
export const GET = sessionRoute("activity.principals", async ({ url, actor }) => {
  const q = url.searchParams.get("q") ?? "";
  if (q.length > SEARCH_MAX_LENGTH) return sessionRouteError(400, "invalid_input", `q: at most ${SEARCH_MAX_LENGTH} characters`, "q");
  return Response.json(await searchPrincipalOptions(actor, q), { headers: { "Cache-Control": "no-store" } });
});
