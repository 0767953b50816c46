import type { QuotaMetric } from "@/lib/domain/quotas/plan-quotas";

/** Bytes in decimal units (1 GB = 10^9 bytes, as the bandwidth quota counts). */
export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Compact counts: 950, 1.2k, 34k, 1.5M. */
export function formatCount(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${n < 10_000 ? (n / 1000).toFixed(1) : Math.round(n / 1000)}k`;
  return `${n < 10_000_000 ? (n / 1e6).toFixed(1) : Math.round(n / 1e6)}M`;
}

export function formatMetric(metric: QuotaMetric, n: number): string {
  return metric === "bandwidth" ? formatBytes(n) : n.toLocaleString("en");
}
