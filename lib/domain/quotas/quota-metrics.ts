// The quota metrics and their names, apart from the plans (which read the account schema), so the
// usage page's client components can import them without it.

/** The metered quantities a quota limits, in the order the page shows them. */
export const QUOTA_METRICS = ["sessions", "endpoints", "bandwidth", "apiRequests"] as const;
export type QuotaMetric = (typeof QUOTA_METRICS)[number];

export const QUOTA_LABELS: Record<QuotaMetric, string> = {
  sessions: "Agent sessions",
  endpoints: "Endpoints",
  bandwidth: "Bandwidth",
  apiRequests: "API requests",
};

/** The same in a sentence ("over its monthly quota for API requests"). */
export const QUOTA_NOUNS: Record<QuotaMetric, string> = {
  sessions: "agent sessions",
  endpoints: "endpoints",
  bandwidth: "bandwidth",
  apiRequests: "API requests",
};
