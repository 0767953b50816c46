import { QUOTA_LABELS } from "@/lib/domain/quotas/plan-quotas";
import type { QuotaMeter } from "@/lib/domain/quotas/quota-usage";
import { formatMetric } from "./format-usage";

/** One bar per quota: the account's month so far against it; over quota in red with the amount over. */
export function QuotaMeters({ meters }: { meters: QuotaMeter[] }) {
  return (
    <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4" data-testid="quota-meters">
      {meters.map((m) => {
        const share = m.limit > 0 ? m.used / m.limit : m.used > 0 ? Infinity : 0;
        const pct = Math.min(100, Math.round(share * 100));
        return (
          <li key={m.metric} className="rounded-lg border border-slate-200 bg-white p-4" data-testid={`quota-${m.metric}`} data-over={m.over || undefined}>
            <p className="text-sm font-medium text-slate-500">{QUOTA_LABELS[m.metric]}</p>
            <p className="mt-1 text-lg font-semibold">
              {formatMetric(m.metric, m.used)} <span className="text-sm font-normal text-slate-600">of {formatMetric(m.metric, m.limit)}</span>
            </p>
            <div
              className="mt-2 h-2 overflow-hidden rounded-full bg-slate-100"
              role="meter"
              aria-label={`${QUOTA_LABELS[m.metric]} this month`}
              aria-valuemin={0}
              aria-valuemax={m.limit}
              aria-valuenow={Math.min(m.used, m.limit)}
              aria-valuetext={`${formatMetric(m.metric, m.used)} of ${formatMetric(m.metric, m.limit)}`}
            >
              <div className={`h-full ${m.over ? "bg-red-600" : share >= 0.8 ? "bg-amber-500" : "bg-indigo-600"}`} style={{ width: `${pct}%` }} />
            </div>
            <p className={`mt-1 text-xs ${m.over ? "font-medium text-red-700" : "text-slate-600"}`}>
              {m.over ? `Over by ${formatMetric(m.metric, m.used - m.limit)}` : `${Math.round(share * 100)}% used`}
            </p>
          </li>
        );
      })}
    </ul>
  );
}
