const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// Every time the dashboard shows is in UTC, in these formats, so the same instant reads the same
// on every page, for every viewer, and matches the exports and the API (RFC 3339, UTC). Built by
// hand rather than with Intl: the server (Node's ICU) and the browser must produce the same
// characters, or hydration of client components mismatches. <Timestamp> (components/timestamp.tsx)
// wraps them in a <time> with the exact ISO instant.
const pad = (n: number) => String(n).padStart(2, "0");

/** "Nov 28, 2026" (UTC). */
export function formatDate(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}

/** "14:05 UTC" (24-hour clock). */
export function formatTimeOfDay(d: Date): string {
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** "Nov 28, 2026, 14:05 UTC". */
export function formatDateTime(d: Date): string {
  return `${formatDate(d)}, ${formatTimeOfDay(d)}`;
}

/** A UTC day as the API writes it ("2026-11-28") → "Nov 28", or "Nov 28, 2026" with the year. */
export function formatDay(day: string, { year = false } = {}): string {
  const d = new Date(`${day}T00:00:00Z`);
  return year ? formatDate(d) : `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
