const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// Built by hand rather than with Intl: the server (Node's ICU) and the browser must
// produce the same characters, or hydration of client tables mismatches.
const pad = (n: number) => String(n).padStart(2, "0");

/** "Nov 28, 2026" (UTC). */
export function formatDate(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}

/** "Nov 28, 2026, 14:05 UTC". */
export function formatDateTime(d: Date): string {
  return `${formatDate(d)}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
