import { z } from "zod";
import { QUOTA_METRICS } from "@/lib/domain/quotas/plan-quotas";

/** A row's place in the usage lists' order: `<bandwidth>.<API requests>.<principal id>` (lib/domain/usage/month-usage.ts). */
const cursorSchema = z
  .string()
  .max(128)
  .regex(/^\d{1,19}\.\d{1,19}\.[A-Za-z0-9_]{1,64}$/)
  .optional()
  .catch(undefined);

/**
 * /usage's URL: the chart's metric and the table's page (`after` the last row
 * of the previous page, or `before` the first of the next). Anything
 * unparseable falls back to the default, like any stale URL.
 */
export const usagePageQuerySchema = z.object({
  metric: z.enum(QUOTA_METRICS).catch("apiRequests").default("apiRequests"),
  after: cursorSchema,
  before: cursorSchema,
});
export type UsagePageQuery = z.infer<typeof usagePageQuerySchema>;

export function usagePageQuery(params: Record<string, string | string[] | undefined>): UsagePageQuery {
  const first = (key: string) => {
    const v = params[key];
    return Array.isArray(v) ? v[0] : v;
  };
  return usagePageQuerySchema.parse({ metric: first("metric"), after: first("after"), before: first("before") });
}

/** /usage's URL for a metric and a page. */
export function usageHref(metric: string, page: { after?: string | null; before?: string | null } = {}): string {
  const q = new URLSearchParams({ metric });
  if (page.after) q.set("after", page.after);
  else if (page.before) q.set("before", page.before);
  return `/usage?${q}`;
}
