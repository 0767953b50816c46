import { DEFAULT_TIME_ZONE } from "@/lib/time-zone";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// Every time the dashboard shows is in the viewer's time zone (lib/time-zone.ts: the browser's
// zone, from a cookie; UTC until it is known), in these formats, with the zone's offset written
// out: "Nov 28, 2026, 21:05 GMT-5", "Nov 29, 2026, 02:05 UTC". The text is assembled by hand from
// numeric parts rather than with Intl's own styles or zone names, which differ between ICU versions:
// the server (Node's ICU) and the browser must produce the same characters, or hydration of client
// components mismatches. <Timestamp> (components/timestamp.tsx) wraps them in a <time> with the
// exact ISO instant (UTC) as its dateTime and hover title. Exports and the API stay in UTC.
const pad = (n: number) => String(n).padStart(2, "0");

type Wall = { year: number; month: number; day: number; hour: number; minute: number; label: string };

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function wallTime(d: Date, zone: string): Wall {
  if (zone === DEFAULT_TIME_ZONE) {
    return { year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), label: "UTC" };
  }
  let f = partsFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", hourCycle: "h23" });
    partsFormats.set(zone, f);
  }
  const n = { year: 0, month: 1, day: 1, hour: 0, minute: 0 };
  for (const p of f.formatToParts(d)) if (p.type in n) n[p.type as keyof typeof n] = Number(p.value);
  const hour = n.hour % 24; // some ICU versions write midnight as 24 even with h23
  // The zone's offset at this instant, from the wall time it gives (to the minute).
  const wallAsUtc = Date.UTC(n.year, n.month - 1, n.day, hour, n.minute);
  const offset = Math.round((wallAsUtc - Math.floor(d.getTime() / 60_000) * 60_000) / 60_000);
  const abs = Math.abs(offset);
  const label = offset === 0 ? "GMT" : `GMT${offset < 0 ? "-" : "+"}${Math.floor(abs / 60)}${abs % 60 ? `:${pad(abs % 60)}` : ""}`;
  return { year: n.year, month: n.month - 1, day: n.day, hour, minute: n.minute, label };
}

/** "Nov 28, 2026", the day in the viewer's zone. */
export function formatDate(d: Date, zone = DEFAULT_TIME_ZONE): string {
  const w = wallTime(d, zone);
  return `${MONTHS[w.month]} ${w.day}, ${w.year}`;
}

/** "21:05 GMT-5" or "02:05 UTC" (24-hour clock, the zone's offset stated). */
export function formatTimeOfDay(d: Date, zone = DEFAULT_TIME_ZONE): string {
  const w = wallTime(d, zone);
  return `${pad(w.hour)}:${pad(w.minute)} ${w.label}`;
}

/** "Nov 28, 2026, 21:05 GMT-5". */
export function formatDateTime(d: Date, zone = DEFAULT_TIME_ZONE): string {
  return `${formatDate(d, zone)}, ${formatTimeOfDay(d, zone)}`;
}

/**
 * A UTC day as the API and the charts count days ("2026-11-28") → "Nov 28", or "Nov 28, 2026"
 * with the year. Daily counts and usage months are UTC days, whatever the viewer's zone.
 */
export function formatDay(day: string, { year = false } = {}): string {
  const d = new Date(`${day}T00:00:00Z`);
  return year ? formatDate(d) : `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}`;
}

const englishPlurals = new Intl.PluralRules("en-US");

/** The word that agrees with n: pick(1, "stops", "stop") → "stops", pick(3, "credential", "credentials") → "credentials". */
export function pick(n: number, one: string, many: string): string {
  return englishPlurals.select(n) === "one" ? one : many;
}

/** "1 credential", "3 credentials", "0 credentials": the number and the word that agrees with it. */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${pick(n, one, many)}`;
}
