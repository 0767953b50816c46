import Link from "next/link";
import { formatDay } from "@/components/format";
import { Card } from "@/components/ui/card";
import { QUOTA_LABELS } from "@/lib/domain/quotas/plan-quotas";
import type { PrincipalMonth } from "@/lib/domain/usage/principal-month";
import { formatMetric } from "./format-usage";

/** "0%", "<1%", "12%": a share of a quota, never rounded up to look full nor down to look unused. */
export function quotaShare(used: number, limit: number): string {
  if (limit <= 0) return used > 0 ? "over" : "0%";
  const pct = (used / limit) * 100;
  if (used === 0) return "0%";
  if (pct < 1) return "<1%";
  return `${Math.floor(pct)}%`;
}

/** A bot's usage this month (UTC days) per quota metric: how much, and its share of the account's quota. */
export function BotUsageCard({ usage }: { usage: PrincipalMonth }) {
  return (
    <Card aria-labelledby="bot-usage-heading" data-testid="bot-usage" className="min-w-0">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="bot-usage-heading" className="text-base font-semibold text-slate-900">
          Usage this month
        </h2>
        <p className="text-sm text-slate-600">
          {formatDay(usage.from)} to {formatDay(usage.to, { year: true })} (UTC days) ·{" "}
          <Link href="/usage" className="text-indigo-700 hover:underline">
            the account&apos;s usage
          </Link>
        </p>
      </div>
      <dl className="mt-3 grid grid-cols-2 gap-4 text-sm lg:grid-cols-4">
        {usage.metrics.map((m) => {
          const pct = m.limit > 0 ? Math.min(100, (m.used / m.limit) * 100) : 0;
          return (
            <div key={m.metric} className="min-w-0" data-testid={`bot-usage-${m.metric}`}>
              <dt className="text-slate-500">{QUOTA_LABELS[m.metric]}</dt>
              <dd className="mt-0.5 text-lg font-semibold text-slate-900" data-testid="bot-usage-used">
                {formatMetric(m.metric, m.used)}
              </dd>
              <dd className="mt-1 h-1.5 rounded-full bg-slate-100" aria-hidden="true">
                <div className={`h-1.5 rounded-full ${m.used > m.limit ? "bg-red-500" : "bg-indigo-500"}`} style={{ width: `${pct}%` }} />
              </dd>
              <dd className="mt-1 text-xs text-slate-600" data-testid="bot-usage-share">
                {quotaShare(m.used, m.limit)} of the account&apos;s quota ({formatMetric(m.metric, m.limit)})
              </dd>
            </div>
          );
        })}
      </dl>
    </Card>
  );
}
