import type { Metadata } from "next";
import Link from "next/link";
import { requireActor } from "@/lib/auth/actor";
import { listEvents } from "@/lib/domain/events/list-events";
import { listPrincipalOptions } from "@/lib/domain/events/principal-options";
import { eventsSearch } from "@/lib/validation/events";
import { describeEventFilters, emptyFilterKeys } from "@/lib/domain/events/describe-filters";
import { redirect } from "next/navigation";
import { Alert } from "@/components/ui/alert";
import { canManage } from "@/lib/domain/permissions";
import { Card } from "@/components/ui/card";
import { RecentActivity } from "@/components/recent-activity";
import { ActivityFilters } from "@/components/activity/activity-filters";
import { NewEvents } from "@/components/activity/new-events";
import { Pager } from "@/components/activity/pager";
import { buttonClass } from "@/components/ui/button-styles";
import { Name } from "@/components/name";
import { EventsChartCard } from "@/components/activity/events-chart-card";
import { RetentionForm } from "@/components/activity/retention-form";
import { getEventRetention } from "@/lib/domain/events/set-event-retention";
import { setEventRetentionAction } from "./actions";

export const metadata: Metadata = { title: "Activity" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The URL's search string without these keys. */
function searchWithout(params: Record<string, string | string[] | undefined>, drop: string[]): string {
  const out = new URLSearchParams();
  for (const [key, v] of Object.entries(params)) {
    if (drop.includes(key) || v === undefined) continue;
    for (const value of Array.isArray(v) ? v : [v]) out.append(key, value);
  }
  const s = out.toString();
  return s ? `?${s}` : "";
}

/** The account's audit log: every event, filtered and keyset-paged by the URL. */
export default async function ActivityPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requireActor();
  const params = await searchParams;
  // A GET form sends every field: keep only the filters that were set in the URL.
  const empty = emptyFilterKeys(params);
  if (empty.length > 0) redirect(`/activity${searchWithout(params, empty)}`);
  const { query, active, notices, rangeError, credentialText } = await describeEventFilters(actor, params);
  const [page, options, retention] = await Promise.all([
    rangeError ? null : listEvents(actor, query),
    listPrincipalOptions(actor),
    getEventRetention(actor),
  ]);
  const firstPage = !query.before && !query.after;
  const href = (extra: Record<string, string | undefined> = {}) => `/activity${eventsSearch(query, extra)}`;
  const filtered = eventsSearch(query) !== "";

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight">Activity</h1>
          <p className="text-sm text-slate-600">
            Everything done in <Name name={actor.account.name} />, by people, bots and Botdesk itself, newest first.{" "}
            {canManage(actor) ? "As an admin you see everyone's IP addresses." : "Everyone in the account sees every event; only admins see other people's IP addresses."}
          </p>
        </div>
        <div className="flex flex-wrap gap-2" data-testid="export-links">
          <a href={`/activity/export${eventsSearch(query, { format: "csv" })}`} className={buttonClass("secondary", "", "sm")} download>
            Export CSV
          </a>
          <a href={`/activity/export${eventsSearch(query, { format: "ndjson" })}`} className={buttonClass("secondary", "", "sm")} download>
            Export NDJSON
          </a>
        </div>
      </div>

      {/* Keyed by the filters: after applying, the bar closes on the filters now in force. */}
      <ActivityFilters key={eventsSearch(query)} query={query} principals={options} action="/activity" active={active} credentialText={credentialText} open={notices.length > 0 || rangeError !== null} />

      {notices.length > 0 && (
        <Alert tone="warning" data-testid="filter-notices">
          <ul className="flex flex-col gap-1">
            {notices.map((n) => (
              <li key={n.key}>
                <strong className="font-semibold">{n.label}</strong>: {n.message}
              </li>
            ))}
          </ul>
        </Alert>
      )}

      <Card aria-labelledby="events-heading" className="min-w-0">
        <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
          <h2 id="events-heading" className="text-base font-semibold">
            {filtered ? "Matching events" : "All events"}
          </h2>
          {firstPage && page?.rows[0] && (
            // Keyed by what it counts from, so showing the new events starts the count again.
            <NewEvents
              key={page.rows[0].cursor}
              pollUrl={`/activity/new-count${eventsSearch(query, { since: page.rows[0].cursor })}`}
              showHref={href()}
            />
          )}
        </div>
        {rangeError || !page ? (
          <Alert data-testid="range-error">{rangeError}</Alert>
        ) : page.rows.length === 0 ? (
          <div className="flex flex-col items-start gap-2 py-4 text-sm text-slate-600" data-testid="activity-empty">
            <p>{filtered ? "No events match these filters." : "Nothing has happened in this account yet."}</p>
            {filtered && (
              <Link href="/activity" className="font-medium text-indigo-700 hover:underline">
                Clear filters
              </Link>
            )}
          </div>
        ) : (
          <RecentActivity events={page.rows} />
        )}
        {page && (
          <Pager
            newest={firstPage ? null : href()}
            newer={page.newer ? href({ after: page.newer }) : null}
            older={page.older ? href({ before: page.older }) : null}
          />
        )}
      </Card>

      {/* After the log, so the first events are on the first screen. */}
      <EventsChartCard actor={actor} title="Events per day in the account, last 30 days (UTC days)" />

      <Card aria-labelledby="retention-heading">
        <h2 id="retention-heading" className="mb-1 text-base font-semibold">
          Retention
        </h2>
        <p className="mb-3 text-sm text-slate-600" data-testid="retention-text">
          Events are kept for {retention} days, then deleted by an hourly purge, which records what it deleted. Nobody can edit or delete an event
          before that.{actor.role !== "owner" && " Only owners can change this."}
        </p>
        {actor.role === "owner" && <RetentionForm days={retention} action={setEventRetentionAction} />}
      </Card>
    </div>
  );
}
