import { formatDate, formatDateTime } from "@/components/format";

/**
 * An instant as the dashboard shows every instant: "Nov 28, 2026, 14:05 UTC" (or the UTC day
 * alone where a column only has room for it), in a <time> whose dateTime and hover title are the
 * exact ISO 8601 instant. No hooks: server and client components render the same characters.
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
  const iso = at.toISOString();
  return (
    <time dateTime={iso} title={title ?? iso} className={className}>
      {dateOnly ? formatDate(at) : formatDateTime(at)}
    </time>
  );
}
