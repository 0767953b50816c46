"use client";

import { StackedChart, type StackedSeries } from "@/components/stacked-chart";

/**
 * EventsChart's rendering, a client component for the page's cost (issue 20): the page sends the
 * counts (30 days × 7 categories), not the chart's bars, titles and screen-reader table as an
 * element tree (about 11 kB of React's payload), and the server renders its HTML once.
 */
export function EventsChartView({ days, series, title, total }: { days: string[]; series: StackedSeries[]; title: string; total: number }) {
  return (
    <StackedChart
      testId="events-chart"
      days={days}
      title={title}
      ariaLabel={`${title}: ${total} events`}
      summary={(max) => `${total === 1 ? "1 event" : `${total.toLocaleString("en")} events`} · dashed line: ${max.toLocaleString("en")} a day`}
      series={series}
    />
  );
}
