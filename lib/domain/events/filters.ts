/** The activity feeds' filter values, shared by validation, pages and client components (no imports, no zod). */

export const EVENT_SOURCES = ["dashboard", "api", "agent", "system"] as const;
export type EventSourceFilter = (typeof EVENT_SOURCES)[number];

export const SOURCE_LABELS: Record<EventSourceFilter, string> = { dashboard: "Dashboard", api: "API", agent: "Agent", system: "System" };

export const TIME_RANGES = ["all", "24h", "7d", "30d", "custom"] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

export const TIME_RANGE_LABELS: Record<TimeRange, string> = { all: "Any time", "24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days", custom: "Custom range" };

export const TIME_RANGE_MS: Partial<Record<TimeRange, number>> = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 };

export const EVENT_PAGE_SIZE_DEFAULT = 50;
export const EVENT_PAGE_SIZE_MAX = 100;
