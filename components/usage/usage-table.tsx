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
 * One page of this month's usage per bot and person, with a red "over" mark
 * on each quota the principal pushed the account past (and by how much of its
 * own usage). Each row is rendered once: a table row from 640 px, a card
 * below it (the header row is then read only by screen readers, and each
 * value carries its label).
 */
export function UsageTable({ rows }: { rows: PrincipalQuotaRow[] }) {
  if (rows.length === 0) return <p className="text-sm text-slate-600">No usage recorded this month yet.</p>;
  return (
    <table className="w-full text-sm max-sm:block" data-testid="usage-table">
      <thead className="max-sm:sr-only">
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
      <tbody className="max-sm:flex max-sm:flex-col max-sm:gap-3">
        {rows.map((r) => (
          <tr
            key={r.principal.id}
            className="border-b border-slate-100 align-top max-sm:flex max-sm:flex-col max-sm:gap-1 max-sm:rounded-md max-sm:border max-sm:border-slate-200 max-sm:p-3"
            data-testid="usage-row"
            data-principal={r.principal.id}
          >
            <th scope="row" className="max-w-64 py-2 pr-3 text-left font-normal max-sm:max-w-none max-sm:py-0 max-sm:pb-1">
              <Who row={r} />
            </th>
            {QUOTA_METRICS.map((m) => (
              <td key={m} className="px-3 py-2 text-right tabular-nums max-sm:flex max-sm:items-start max-sm:justify-between max-sm:gap-3 max-sm:p-0">
                <span aria-hidden="true" className="text-left text-slate-500 sm:hidden">
                  {QUOTA_LABELS[m]}
                </span>
                <Cell row={r} metric={m} />
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
