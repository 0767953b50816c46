import { CATEGORY_LABELS, EVENT_CATEGORIES, type EventCategory } from "@/lib/domain/events/catalogue";
import type { EventsPerDay } from "@/lib/domain/events/events-per-day";
import { EventsChartView } from "./events-chart-view";

export const CATEGORY_COLORS: Record<EventCategory, string> = {
  bots: "#4f46e5",
  people: "#0891b2",
  credentials: "#d97706",
  domains: "#059669",
  "sign-in": "#dc2626",
  agents: "#9333ea",
  system: "#64748b",
};

/**
 * Events per day, stacked by category (the shared StackedChart): readable at
 * phone width, each segment titled with its count, a table for screen readers.
 */
export function EventsChart({ data, title = "Events per day, last 30 days (UTC)" }: { data: EventsPerDay; title?: string }) {
  const series = EVENT_CATEGORIES.map((c) => ({ key: c, label: CATEGORY_LABELS[c], color: CATEGORY_COLORS[c], values: data.series[c] }));
  return <EventsChartView days={data.days} series={series} title={title} total={data.total} />;
}
