import Link from "next/link";
import type { Metadata } from "next";
import { requireActor } from "@/lib/auth/actor";
import { getSeatUsage, seatSummaryText } from "@/lib/domain/accounts/get-seat-usage";
import { listRecentEvents } from "@/lib/domain/events/list-recent-events";
import { Card } from "@/components/ui/card";
import { Alert } from "@/components/ui/alert";
import { RecentActivity } from "@/components/recent-activity";
import { Name } from "@/components/name";
import { getInsights } from "@/lib/domain/insights/get-insights";
import { InsightsCard } from "@/components/insights-card";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const actor = await requireActor();
  const [seats, events, insights] = await Promise.all([getSeatUsage(actor.account.id), listRecentEvents(actor, 15), getInsights(actor)]);
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">
          <Name name={actor.account.name} />
        </h1>
        <p className="text-sm text-slate-600">People sign in here; bots own credentials and act through the REST API and agents.</p>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <Card aria-labelledby="seats-heading">
          <h2 id="seats-heading" className="text-sm font-medium text-slate-500">
            Seats
          </h2>
          <p className="mt-2 text-lg font-semibold" data-testid="seat-summary">
            {seatSummaryText(seats)}
          </p>
          {seats.atLimit && (
            <div className="mt-3">
              <Alert tone="warning">The account is at its seat limit: adding a person needs a free seat. Bots can still be added.</Alert>
            </div>
          )}
        </Card>
        <Card aria-labelledby="bots-heading">
          <h2 id="bots-heading" className="text-sm font-medium text-slate-500">
            Bot users
          </h2>
          <p className="mt-2 text-lg font-semibold" data-testid="bot-count">
            {seats.bots} {seats.bots === 1 ? "bot" : "bots"}
          </p>
          <p className="mt-1 text-sm text-slate-600">Their usage counts toward quotas, never toward seats.</p>
        </Card>
      </div>
      {insights && <InsightsCard insights={insights} />}
      <Card aria-labelledby="activity-heading">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="activity-heading" className="text-base font-semibold">
            Recent activity
          </h2>
          <Link href="/activity" className="text-sm font-medium text-indigo-700 hover:underline" data-testid="overview-activity-link">
            All activity: filter, export →
          </Link>
        </div>
        <RecentActivity events={events} />
      </Card>
    </div>
  );
}
