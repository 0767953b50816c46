"use client";

import { formatDate, formatDateTime } from "@/components/format";
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
    <time dateTime={iso} title={title ?? iso} className={className}>
      {dateOnly ? formatDate(at, zone) : formatDateTime(at, zone)}
    </time>
  );
}
