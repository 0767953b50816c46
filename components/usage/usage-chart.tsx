import { StackedChart, type StackedSeries } from "@/components/stacked-chart";
import { QUOTA_LABELS, type QuotaMetric } from "@/lib/domain/quotas/plan-quotas";
import type { QuotaUsage } from "@/lib/domain/quotas/quota-usage";
import { formatMetric } from "./format-usage";

const COLORS = ["#4f46e5", "#0891b2", "#d97706", "#16a34a", "#9333ea", "#dc2626"];
const OTHERS = "#94a3b8";

/** A metric per day of the month, stacked by principal: the six largest users of it, the rest as "Others". */
export function UsageChart({ usage, metric }: { usage: QuotaUsage; metric: QuotaMetric }) {
  const ranked = usage.principals.filter((p) => p.used[metric] > 0).sort((a, b) => b.used[metric] - a.used[metric]);
  const top = ranked.slice(0, COLORS.length);
  const rest = ranked.slice(COLORS.length);
  const series: StackedSeries[] = top.map((p, i) => ({
    key: p.principal.id,
    label: p.principal.name,
    color: COLORS[i]!,
    values: usage.daily[p.principal.id]!.map((d) => d[metric]),
  }));
  if (rest.length) {
    series.push({
      key: "others",
      label: `${rest.length} others`,
      color: OTHERS,
      values: usage.days.map((_, i) => rest.reduce((sum, p) => sum + usage.daily[p.principal.id]![i]![metric], 0)),
    });
  }
  const total = ranked.reduce((sum, p) => sum + p.used[metric], 0);
  const title = `${QUOTA_LABELS[metric]} per day this month (UTC), by bot and person`;
  return (
    <StackedChart
      testId="usage-chart"
      days={usage.days}
      series={series}
      title={title}
      ariaLabel={`${title}: ${formatMetric(metric, total)} in all`}
      summary={(max) => `${formatMetric(metric, total)} shown · dashed line: ${formatMetric(metric, max)} a day`}
      format={(n) => formatMetric(metric, n)}
    />
  );
}
