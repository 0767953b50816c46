import type { Metadata } from "next";
import Link from "next/link";
import { requireActor } from "@/lib/auth/actor";
import { canManage } from "@/lib/domain/permissions";
import { QUOTA_LABELS, QUOTA_METRICS, QUOTA_NOUNS } from "@/lib/domain/quotas/plan-quotas";
import { accountQuotaUsage, USAGE_PAGE_SIZE } from "@/lib/domain/quotas/quota-usage";
import { usageHref, usagePageQuery } from "@/lib/validation/usage";
import { Card } from "@/components/ui/card";
import { Alert } from "@/components/ui/alert";
import { Name } from "@/components/name";
import { formatDay } from "@/components/format";
import { QuotaMeters } from "@/components/usage/quota-meters";
import { UsageChart } from "@/components/usage/usage-chart";
import { UsageTable } from "@/components/usage/usage-table";
import { UsagePager } from "@/components/usage/usage-pager";

export const metadata: Metadata = { title: "Usage" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The month so far against the plan's quotas, per bot and person, a page of them at a time. */
export default async function UsagePage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requireActor();
  const query = usagePageQuery(await searchParams);
  const { metric } = query;
  const usage = await accountQuotaUsage(actor, { metric, after: query.after, before: query.before });
  const over = usage.meters.filter((m) => m.over);
  const page = usage.principals;
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Usage</h1>
        <p className="text-sm text-slate-600">
          <Name name={actor.account.name} /> on the <strong className="font-medium">{usage.plan}</strong> plan: {formatDay(usage.from)} to {formatDay(usage.to, { year: true })} (UTC), against
          the monthly quotas. Bots and people both count toward them.{" "}
          {actor.role === "owner" ? (
            <Link href="/settings#account" className="font-medium text-indigo-700 hover:underline">
              Change the quotas
            </Link>
          ) : (
            "Owners change the quotas in their settings."
          )}
        </p>
      </div>
      {over.length > 0 && (
        <Alert>
          Over quota this month: {over.map((m) => QUOTA_NOUNS[m.metric]).join(", ")}. The table marks who pushed the account over, and by how
          much.
        </Alert>
      )}
      <QuotaMeters meters={usage.meters} />
      <Card className="min-w-0">
        <nav aria-label="Chart metric" className="mb-3 flex flex-wrap gap-2 text-sm">
          {QUOTA_METRICS.map((m) => (
            <Link
              key={m}
              href={usageHref(m, query)}
              aria-current={m === metric ? "page" : undefined}
              className={`rounded-md px-2 py-1 ${m === metric ? "bg-indigo-50 font-medium text-indigo-800" : "text-slate-600 hover:bg-slate-100"}`}
            >
              {QUOTA_LABELS[m]}
            </Link>
          ))}
        </nav>
        <UsageChart chart={usage.chart} />
      </Card>
      <Card aria-labelledby="usage-by-principal" className="min-w-0">
        <h2 id="usage-by-principal" className="text-base font-semibold">
          By bot and person
        </h2>
        <p className="mb-3 text-sm text-slate-600">
          {canManage(actor) ? "Everyone with usage this month" : "Your own usage and the bots' (admins see everyone's)"}, most bandwidth first,{" "}
          {USAGE_PAGE_SIZE} at a time. A red mark shows who pushed the account
          over a quota: usage counts in the order of the days it happened on (within a day, the largest first), and the mark is the part of the
          principal&apos;s usage beyond the quota.
        </p>
        <UsageTable rows={page.rows} />
        <UsagePager
          start={page.start}
          shown={page.rows.length}
          count={page.count}
          first={page.before ? usageHref(metric) : null}
          previous={page.before ? usageHref(metric, { before: page.before }) : null}
          next={page.after ? usageHref(metric, { after: page.after }) : null}
        />
      </Card>
    </div>
  );
}
