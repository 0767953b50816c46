"use client";

import { formatDate, formatDateTime, formatDay } from "@/components/format";
import { useTimeZone } from "@/components/time-zone";

/**
 * An instant as the dashboard shows every instant: "Nov 28, 2026, 21:05 GMT-5" in the viewer's
 * zone (or the day alone where a column only has room for it), in a <time> whose dateTime and
 * hover title are the exact ISO 8601 instant (UTC). The zone comes from the page (the server
 * rendered with it), so server and browser render the same characters.
 */
export function Timestamp({
  at,
  dateOnly = false,
  title,
  className,
}: {
  at: Date;
  /** "Nov 28, 2026": for columns where the time of day matters less; the title still has it. */
  dateOnly?: boolean;
  /** Replaces the ISO instant on hover. */
  title?: string;
  className?: string;
}) {
  const zone = useTimeZone();
  const iso = at.toISOString();
  return (
    <time dateTime={iso} title={title ?? utcTitle(at)} className={className}>
      {dateOnly ? formatDate(at, zone) : formatDateTime(at, zone)}
    </time>
  );
}

/**
 * "2026-12-07T00:57:35.465Z · UTC day Dec 7, 2026": the exact instant and the UTC day it falls on,
 * the day charts, day filters and usage count it in (a row shown on Dec 6 in New York may sit in a Dec 7 bar).
 */
export function utcTitle(at: Date): string {
  const iso = at.toISOString();
  return `${iso} · UTC day ${formatDay(iso.slice(0, 10), { year: true })}`;
}
