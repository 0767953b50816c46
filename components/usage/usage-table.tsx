import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Name } from "@/components/name";
import { QUOTA_LABELS, QUOTA_METRICS, type QuotaMetric } from "@/lib/domain/quotas/plan-quotas";
import type { PrincipalQuotaRow } from "@/lib/domain/quotas/quota-usage";
import { formatMetric } from "./format-usage";

function Who({ row }: { row: PrincipalQuotaRow }) {
  const p = row.principal;
  const name = <Name name={p.deleted ? `${p.name} (deleted)` : p.name} clamp />;
  return (
    <span className="flex min-w-0 flex-col">
      {p.kind === "bot" ? (
        <Link href={`/users/bots/${p.id}`} className="font-medium text-indigo-700 hover:underline">
          {name}
        </Link>
      ) : (
        <span className="font-medium">{name}</span>
      )}
      <span className="text-xs text-slate-500">{p.kind === "bot" ? "Bot" : "Person"}</span>
    </span>
  );
}

function Cell({ row, metric }: { row: PrincipalQuotaRow; metric: QuotaMetric }) {
  const over = row.overBy[metric];
  return (
    <span className="inline-flex flex-wrap items-center justify-end gap-1">
      <span>{formatMetric(metric, row.used[metric])}</span>
      {over > 0 && (
        <Badge tone="red" title={`${formatMetric(metric, over)} of this is beyond the quota`} data-testid={`over-${metric}`}>
          over +{formatMetric(metric, over)}
        </Badge>
      )}
    </span>
  );
}

/**
 * This month's usage per bot and person, with a red "over" mark on each quota
 * the principal pushed the account past (and by how much of its own usage).
 */
export function UsageTable({ rows }: { rows: PrincipalQuotaRow[] }) {
  if (rows.length === 0) return <p className="text-sm text-slate-600">No usage recorded this month yet.</p>;
  return (
    <>
      <table className="hidden w-full text-sm sm:table" data-testid="usage-table">
        <thead>
          <tr className="border-b border-slate-200 text-left text-slate-500">
            <th scope="col" className="py-2 pr-3 font-medium">
              Bot or person
            </th>
            {QUOTA_METRICS.map((m) => (
              <th key={m} scope="col" className="px-3 py-2 text-right font-medium">
                {QUOTA_LABELS[m]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.principal.id} className="border-b border-slate-100 align-top" data-testid="usage-row" data-principal={r.principal.id}>
              <th scope="row" className="max-w-64 py-2 pr-3 text-left font-normal">
                <Who row={r} />
              </th>
              {QUOTA_METRICS.map((m) => (
                <td key={m} className="px-3 py-2 text-right tabular-nums">
                  <Cell row={r} metric={m} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {/* Phone width: one card per principal, no sideways scrolling. */}
      <ul className="flex flex-col gap-3 sm:hidden" data-testid="usage-cards">
        {rows.map((r) => (
          <li key={r.principal.id} className="rounded-md border border-slate-200 p-3">
            <Who row={r} />
            <dl className="mt-2 grid grid-cols-2 gap-x-3 gap-y-1 text-sm">
              {QUOTA_METRICS.map((m) => (
                <div key={m} className="contents">
                  <dt className="text-slate-500">{QUOTA_LABELS[m]}</dt>
                  <dd className="text-right tabular-nums">
                    <Cell row={r} metric={m} />
                  </dd>
                </div>
              ))}
            </dl>
          </li>
        ))}
      </ul>
    </>
  );
}
