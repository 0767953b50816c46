import { CATEGORY_LABELS, EVENT_CATEGORIES, type EventCategory } from "@/lib/domain/events/catalogue";
import type { EventsPerDay } from "@/lib/domain/events/events-per-day";

export const CATEGORY_COLORS: Record<EventCategory, string> = {
  bots: "#4f46e5",
  people: "#0891b2",
  credentials: "#d97706",
  "sign-in": "#dc2626",
  api: "#16a34a",
  agents: "#9333ea",
  system: "#64748b",
};

const W = 600;
const H = 160;
const PAD_LEFT = 0;
const PAD_BOTTOM = 2;

const shortDay = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`);
  return `${["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()]} ${d.getUTCDate()}`;
};

/**
 * Events per day, stacked by category: plain server-rendered SVG that scales
 * to its container (readable at phone width), each bar segment titled with its
 * count, and the same numbers as a table for screen readers.
 */
export function EventsChart({ data, title = "Events per day, last 30 days (UTC)" }: { data: EventsPerDay; title?: string }) {
  const totals = data.days.map((_, i) => EVENT_CATEGORIES.reduce((sum, c) => sum + data.series[c][i]!, 0));
  const max = Math.max(1, ...totals);
  const plotW = W - PAD_LEFT;
  const plotH = H - PAD_BOTTOM;
  const slot = plotW / data.days.length;
  const bar = Math.max(2, slot * 0.7);
  const used = EVENT_CATEGORIES.filter((c) => data.series[c].some((n) => n > 0));
  return (
    <figure className="relative min-w-0" data-testid="events-chart">
      <figcaption className="mb-2 flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-semibold">{title}</span>
        <span className="text-slate-600">
          {data.total === 1 ? "1 event" : `${data.total.toLocaleString("en")} events`} · dashed line: {max.toLocaleString("en")} a day
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={`${title}: ${data.total} events`}>
        <line x1={PAD_LEFT} y1={plotH} x2={W} y2={plotH} stroke="#cbd5e1" />
        <line x1={PAD_LEFT} y1={4} x2={W} y2={4} stroke="#e2e8f0" strokeDasharray="4 4" />
        {data.days.map((day, i) => {
          let y = plotH;
          const x = PAD_LEFT + i * slot + (slot - bar) / 2;
          return (
            <g key={day}>
              {EVENT_CATEGORIES.map((c) => {
                const n = data.series[c][i]!;
                if (n === 0) return null;
                const h = (n / max) * (plotH - 4);
                y -= h;
                return (
                  <rect key={c} x={x} y={y} width={bar} height={Math.max(h, 0.5)} fill={CATEGORY_COLORS[c]}>
                    <title>{`${shortDay(day)}: ${n} ${CATEGORY_LABELS[c].toLowerCase()}`}</title>
                  </rect>
                );
              })}
            </g>
          );
        })}
      </svg>
      {/* Axis labels in HTML, so they stay readable when the chart shrinks to a phone's width. */}
      <div className="flex justify-between text-xs text-slate-500">
        <span>{shortDay(data.days[0]!)}</span>
        <span>{shortDay(data.days[Math.floor(data.days.length / 2)]!)}</span>
        <span>{shortDay(data.days[data.days.length - 1]!)}</span>
      </div>
      {used.length > 0 && (
        <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700" aria-hidden="true">
          {used.map((c) => (
            <li key={c} className="flex items-center gap-1.5">
              <svg viewBox="0 0 10 10" className="size-2.5">
                <rect width="10" height="10" rx="2" fill={CATEGORY_COLORS[c]} />
              </svg>
              {CATEGORY_LABELS[c]}
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
              {used.map((c) => (
                <th key={c} scope="col">
                  {CATEGORY_LABELS[c]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.days.map((day, i) =>
              totals[i]! > 0 ? (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  {used.map((c) => (
                    <td key={c}>{data.series[c][i]}</td>
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
