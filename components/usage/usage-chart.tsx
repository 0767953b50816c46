import type { StackedSeries } from "@/components/stacked-chart";
import { QUOTA_LABELS } from "@/lib/domain/quotas/plan-quotas";
import type { UsageChartData } from "@/lib/domain/quotas/quota-usage";
import { UsageChartView } from "./usage-chart-view";

const COLORS = ["#4f46e5", "#0891b2", "#d97706", "#16a34a", "#9333ea", "#dc2626"];
const OTHERS = "#94a3b8";

/** A metric per day of the month, stacked by principal: the largest users of it by name, the rest as "Others". */
export function UsageChart({ chart }: { chart: UsageChartData }) {
  const { metric } = chart;
  const series: StackedSeries[] = chart.top.map((s, i) => ({
    key: s.principal.id,
    label: s.principal.deleted ? `${s.principal.name} (deleted)` : s.principal.name,
    color: COLORS[i % COLORS.length]!,
    values: s.values,
  }));
  if (chart.others) {
    series.push({
      key: "others",
      label: `${chart.others.count.toLocaleString("en")} ${chart.others.count === 1 ? "other" : "others"}`,
      color: OTHERS,
      values: chart.others.values,
    });
  }
  const title = `${QUOTA_LABELS[metric]} per day this month (UTC), by bot and person`;
  return <UsageChartView metric={metric} days={chart.days} series={series} title={title} total={chart.total} />;
}
