"use client";

import { StackedChart, type StackedSeries } from "@/components/stacked-chart";
import type { QuotaMetric } from "@/lib/domain/quotas/quota-metrics";
import { formatMetric } from "./format-usage";

/**
 * UsageChart's rendering, a client component for the page's cost (issue 20): the page sends the
 * series (up to seven principals × the month's days), not the chart's bars, titles and
 * screen-reader table as an element tree, and the server renders its HTML once.
 */
export function UsageChartView({ metric, days, series, title, total }: { metric: QuotaMetric; days: string[]; series: StackedSeries[]; title: string; total: number }) {
  return (
    <StackedChart
      testId="usage-chart"
      days={days}
      series={series}
      title={title}
      ariaLabel={`${title}: ${formatMetric(metric, total)} in all`}
      summary={(max) => `${formatMetric(metric, total)} shown · dashed line: ${formatMetric(metric, max)} a day`}
      format={(n) => formatMetric(metric, n)}
    />
  );
}
