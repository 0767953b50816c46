import { usageThisMonth, type UsageTotals } from "@/lib/domain/usage/usage-this-month";
import { usageQuerySchema } from "@/lib/validation/api";
import { API_DEFAULT_LIMIT, validate } from "./request";
import { apiRoute } from "./route";

const totalsJson = (t: UsageTotals) => ({
  sessions: t.sessions,
  endpoints: t.endpoints,
  bytes_in: t.bytesIn,
  bytes_out: t.bytesOut,
  tunnel_requests: t.tunnelRequests,
  api_requests: t.apiRequests,
});

/**
 * `/usage`: this month so far (UTC) per principal, most bytes first, a page
 * of `limit` (≤ 100) at a time (`next_page_uri`), and the total over all of
 * them, from usageThisMonth: admins' keys see everyone, members' and bots'
 * keys their own usage and the bots'.
 */
export const usageRoutes = {
  get: apiRoute("usage.get", async ({ actor, url, base }) => {
    const param = (key: string) => url.searchParams.get(key) || undefined;
    const q = validate(usageQuerySchema, { principal_id: param("principal_id"), limit: param("limit"), after: param("after") });
    const limit = q.limit ?? API_DEFAULT_LIMIT;
    const usage = await usageThisMonth(actor, { principalId: q.principal_id, limit, after: q.after });
    const next = new URLSearchParams();
    if (q.principal_id) next.set("principal_id", q.principal_id);
    next.set("limit", String(limit));
    if (usage.next) next.set("after", usage.next);
    return Response.json({
      uri: `${base}/usage${url.search}`,
      from: usage.from,
      to: usage.to,
      principals: usage.principals.map((p) => ({ principal: p.principal, ...totalsJson(p) })),
      next_page_uri: usage.next ? `${base}/usage?${next}` : null,
      total: totalsJson(usage.total),
    });
  }),
};
