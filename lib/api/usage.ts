import { usageThisMonth, type UsageTotals } from "@/lib/domain/usage/usage-this-month";
import { usageQuerySchema } from "@/lib/validation/api";
import { validate } from "./request";
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
 * `/usage`: this month so far (UTC) per principal, most bytes first, and the
 * total, from usageThisMonth: admins' keys see everyone, members' and bots'
 * keys their own usage and the bots'.
 */
export const usageRoutes = {
  get: apiRoute("usage.get", async ({ actor, url, base }) => {
    const q = validate(usageQuerySchema, { principal_id: url.searchParams.get("principal_id") || undefined });
    const usage = await usageThisMonth(actor, { principalId: q.principal_id });
    return Response.json({
      uri: `${base}/usage${url.search}`,
      from: usage.from,
      to: usage.to,
      principals: usage.principals.map((p) => ({ principal: p.principal, ...totalsJson(p) })),
      total: totalsJson(usage.total),
    });
  }),
};
