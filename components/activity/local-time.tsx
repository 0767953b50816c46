"use client";

import { useEffect, useState } from "react";
import { formatDateTime } from "@/components/format";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** "5 minutes ago" in the viewer's language. */
export function relativeTime(d: Date, now = Date.now()): string {
  const diff = d.getTime() - now;
  const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, ms] of UNITS) if (Math.abs(diff) >= ms) return rtf.format(Math.round(diff / ms), unit);
  return "just now";
}

/**
 * A time as "5 minutes ago · Nov 28, 2026, 14:05" in the viewer's time zone.
 * The server renders UTC (it does not know the viewer's zone); the browser
 * replaces it after hydration, so both render the same characters first.
 */
export function LocalTime({ iso, relative = true }: { iso: string; relative?: boolean }) {
  const [local, setLocal] = useState<{ rel: string; abs: string } | null>(null);
  useEffect(() => {
    const d = new Date(iso);
    const abs = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(d);
    const update = () => setLocal({ rel: relativeTime(d), abs });
    update();
    const timer = setInterval(update, 60_000);
    return () => clearInterval(timer);
  }, [iso]);
  const d = new Date(iso);
  return (
    <time dateTime={iso} title={local?.abs ?? formatDateTime(d)} className="whitespace-nowrap">
      {local ? (
        <>
          {relative && <span>{local.rel} · </span>}
          <span className="text-slate-500">{local.abs}</span>
        </>
      ) : (
        <span className="text-slate-500">{formatDateTime(d)}</span>
      )}
    </time>
  );
}
