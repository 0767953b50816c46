"use client";

import { useEffect, useState } from "react";
import { formatDateTime } from "@/components/format";
import { useTimeZone } from "@/components/time-zone";
import { utcTitle } from "@/components/timestamp";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "5 minutes ago". */
export function relativeTime(d: Date, now = Date.now()): string {
  const diff = d.getTime() - now;
  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, ms] of UNITS) if (Math.abs(diff) >= ms) return rtf.format(Math.round(diff / ms), unit);
  return "just now";
}

/**
 * An instant as "5 minutes ago · Nov 28, 2026, 21:05 GMT-5", in a <time> whose dateTime is the
 * exact ISO instant and whose hover title adds the UTC day (utcTitle). The absolute part is the same text <Timestamp> shows on every
 * other page (the viewer's zone, which the server rendered with); only the relative part depends on
 * the clock, so it is added after hydration (and kept fresh each minute), never rendered by the server.
 */
export function RelativeTimestamp({ iso }: { iso: string }) {
  const zone = useTimeZone();
  const [rel, setRel] = useState<string | null>(null);
  useEffect(() => {
    const d = new Date(iso);
    const update = () => setRel(relativeTime(d));
    update();
    const timer = setInterval(update, 60_000);
    return () => clearInterval(timer);
  }, [iso]);
  return (
    <time dateTime={iso} title={utcTitle(new Date(iso))} className="whitespace-nowrap">
      {rel && <span data-testid="relative-time">{rel} · </span>}
      <span className="text-slate-500">{formatDateTime(new Date(iso), zone)}</span>
    </time>
  );
}
