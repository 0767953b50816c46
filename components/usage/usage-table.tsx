"use client";

import Link from "next/link";
import { Name } from "@/components/name";
import { QUOTA_LABELS, QUOTA_METRICS, type QuotaMetric } from "@/lib/domain/quotas/quota-metrics";
import type { PrincipalQuotaRow } from "@/lib/domain/quotas/quota-usage";
import { formatMetric } from "./format-usage";

function Who({ row }: { row: PrincipalQuotaRow }) {
  const p = row.principal;
  const name = <Name name={p.deleted ? `${p.name} (deleted)` : p.name} clamp />;
  // Fifty links on a page: no prefetch of fifty bot pages as the table scrolls into view.
  return (
    <>
      {p.kind === "bot" ? (
        <Link href={`/users/bots/${p.id}`} prefetch={false}>
          {name}
        </Link>
      ) : (
        <span className="font-medium">{name}</span>
      )}
      <small>{p.kind === "bot" ? "Bot" : "Person"}</small>
    </>
  );
}

function Cell({ row, metric }: { row: PrincipalQuotaRow; metric: QuotaMetric }) {
  const over = row.overBy[metric];
  const value = formatMetric(metric, row.used[metric]);
  if (over <= 0) return value;
  return (
    <span>
      {value}
      <span className="usage-over" title={`${formatMetric(metric, over)} of this is beyond the quota`} data-testid={`over-${metric}`}>
        over +{formatMetric(metric, over)}
      </span>
    </span>
  );
}

/**
 * One page of this month's usage per bot and person, with a red "over" mark
 * on each quota the principal pushed the account past (and by how much of its
 * own usage). Each row is rendered once: a table row from 640 px, a card
 * below it, styled by `.usage-table` in app/globals.css (the header row is
 * then read only by screen readers, and each value shows its label). A client
 * component for the page's cost (issue 20): the page sends the rows' values
 * (a principal's id, name, kind and two numbers per metric), not their cells
 * as an element tree, and the server renders their HTML once.
 */
export function UsageTable({ rows }: { rows: PrincipalQuotaRow[] }) {
  if (rows.length === 0) return <p className="text-sm text-slate-600">No usage recorded this month yet.</p>;
  return (
    // Explicit roles: the phone layout changes the cells' display, which makes some browsers drop a table's semantics.
    <table className="usage-table" role="table" data-testid="usage-table">
      <thead role="rowgroup">
        <tr role="row">
          <th scope="col" role="columnheader">
            Bot or person
          </th>
          {QUOTA_METRICS.map((m) => (
            <th key={m} scope="col" role="columnheader">
              {QUOTA_LABELS[m]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody role="rowgroup">
        {rows.map((r) => (
          <tr key={r.principal.id} role="row" data-testid="usage-row" data-principal={r.principal.id}>
            <th scope="row" role="rowheader">
              <Who row={r} />
            </th>
            {QUOTA_METRICS.map((m) => (
              <td key={m} role="cell" data-label={QUOTA_LABELS[m]}>
                <Cell row={r} metric={m} />
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
