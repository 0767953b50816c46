import { formatDay } from "@/components/format";

/** One stacked series: a label, a colour and a value per day. */
export interface StackedSeries {
  key: string;
  label: string;
  color: string;
  values: number[];
}

const W = 600;
const H = 160;
const PAD_BOTTOM = 2;

const shortDay = (day: string) => formatDay(day);

/**
 * Values per day, stacked by series: plain server-rendered SVG that scales to
 * its container (readable at phone width), each bar segment titled with its
 * value, and the same numbers as a table for screen readers. The events chart
 * (by category) and the usage chart (by principal) are both this.
 */
export function StackedChart({
  days,
  series,
  title,
  summary,
  format = (n) => n.toLocaleString("en"),
  testId,
  ariaLabel,
}: {
  days: string[];
  series: StackedSeries[];
  title: string;
  /** The caption's right-hand text; gets the day maximum. */
  summary: (max: number) => string;
  format?: (n: number) => string;
  testId?: string;
  ariaLabel: string;
}) {
  const totals = days.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const plotH = H - PAD_BOTTOM;
  const slot = W / Math.max(1, days.length);
  const bar = Math.max(2, slot * 0.7);
  const used = series.filter((s) => s.values.some((n) => n > 0));
  return (
    <figure className="relative min-w-0" data-testid={testId}>
      <figcaption className="mb-2 flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-semibold">{title}</span>
        <span className="text-slate-600">{summary(max)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={ariaLabel}>
        <line x1={0} y1={plotH} x2={W} y2={plotH} stroke="#cbd5e1" />
        <line x1={0} y1={4} x2={W} y2={4} stroke="#e2e8f0" strokeDasharray="4 4" />
        {days.map((day, i) => {
          let y = plotH;
          const x = i * slot + (slot - bar) / 2;
          return (
            <g key={day}>
              {series.map((s) => {
                const n = s.values[i] ?? 0;
                if (n === 0) return null;
                const h = (n / max) * (plotH - 4);
                y -= h;
                return (
                  <rect key={s.key} x={x} y={y} width={bar} height={Math.max(h, 0.5)} fill={s.color}>
                    <title>{`${shortDay(day)}: ${format(n)} ${s.label}`}</title>
                  </rect>
                );
              })}
            </g>
          );
        })}
      </svg>
      {/* Axis labels in HTML, so they stay readable when the chart shrinks to a phone's width. */}
      {days.length > 0 && (
        <div className="flex justify-between text-xs text-slate-500">
          <span>{shortDay(days[0]!)}</span>
          <span>{shortDay(days[Math.floor(days.length / 2)]!)}</span>
          <span>{shortDay(days[days.length - 1]!)}</span>
        </div>
      )}
      {used.length > 0 && (
        <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700" aria-hidden="true">
          {used.map((s) => (
            <li key={s.key} className="flex min-w-0 items-center gap-1.5">
              <svg viewBox="0 0 10 10" className="size-2.5 shrink-0">
                <rect width="10" height="10" rx="2" fill={s.color} />
              </svg>
              <bdi className="max-w-48 truncate" title={s.label}>
                {s.label}
              </bdi>
            </li>
          ))}
        </ul>
      )}
      {/* A table ignores width: 1px, so the visually hidden box is a div around it. */}
      <div className="sr-only">
        <table>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {used.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((day, i) =>
              totals[i]! > 0 ? (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  {used.map((s) => (
                    <td key={s.key}>{format(s.values[i] ?? 0)}</td>
                  ))}
                </tr>
              ) : null,
            )}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
