import Link from "next/link";
import { Card } from "@/components/ui/card";
import { Name } from "@/components/name";
import { Timestamp } from "@/components/timestamp";
import type { Insight, Insights } from "@/lib/domain/insights/get-insights";

function Item({ one, many, insight, href, action, testId, when }: { one: string; many: string; insight: Insight; href: string; action: string; testId: string; when: string }) {
  return (
    <li className="flex min-w-0 flex-col gap-1 rounded-md border border-slate-200 p-3" data-testid={testId} data-count={insight.count}>
      <p className="text-sm font-medium">
        <span className={insight.count > 0 ? "text-amber-800" : "text-slate-700"}>{insight.count.toLocaleString("en")}{insight.capped ? "+" : ""}</span> {insight.count === 1 ? one : many}
      </p>
      {insight.items.length > 0 && (
        <ul className="text-xs text-slate-600">
          {insight.items.map((i) => (
            <li key={i.id} className="flex min-w-0 flex-col py-0.5">
              {/* Two names, each isolated: a direction override in a description cannot reorder its owner's name. */}
              <span className="line-clamp-2 [overflow-wrap:anywhere]" title={i.owner === undefined ? i.name : `${i.name} · ${i.owner}`}>
                <Name name={i.name} />
                {i.owner !== undefined && (
                  <>
                    {" · "}
                    <Name name={i.owner} />
                  </>
                )}
              </span>
              <span className="text-slate-500">{i.at ? <>{when} <Timestamp at={i.at} dateOnly /></> : "never"}</span>
            </li>
          ))}
        </ul>
      )}
      {insight.count > 0 && (
        <Link href={href} className="mt-auto text-sm font-medium text-indigo-700 hover:underline">
          {action}
        </Link>
      )}
    </li>
  );
}

/** The Overview's list of what needs attention, each linking to the filtered list where it can be acted on. */
export function InsightsCard({ insights }: { insights: Insights }) {
  return (
    <Card aria-labelledby="insights-heading" className="min-w-0" data-testid="insights">
      <h2 id="insights-heading" className="text-base font-semibold">
        Needs attention
      </h2>
      <p className="mb-3 text-sm text-slate-600">Only real use counts: a refused sign-in or a refused credential never marks a bot active or a credential used.</p>
      <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Item
          testId="insight-inactive-bots"
          one="bot with no activity for 90 days"
          many="bots with no activity for 90 days"
          insight={insights.inactiveBots}
          href="/users?bsort=lastActivity&bdir=asc&bstatus=active"
          action="Review bots, least recently active first"
          when="last"
        />
        <Item testId="insight-never-used" one="credential never used" many="credentials never used" insight={insights.neverUsed} href="/credentials?used=never" action="Review unused credentials" when="made" />
        <Item testId="insight-unused" one="credential unused for 90 days" many="credentials unused for 90 days" insight={insights.unused} href="/credentials?used=stale90" action="Review stale credentials" when="last" />
        <Item testId="insight-expiring" one="credential expiring within 7 days" many="credentials expiring within 7 days" insight={insights.expiring} href="/credentials?status=expiring" action="Rotate or extend them" when="on" />
      </ul>
    </Card>
  );
}
