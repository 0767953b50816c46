import Link from "next/link";
import type { DeletedBot } from "@/lib/domain/bots/get-deleted-bot";
import type { EventPage } from "@/lib/domain/events/list-events";
import type { EventsQuery } from "@/lib/validation/events";
import { RecentActivity } from "@/components/recent-activity";
import { Pager } from "@/components/activity/pager";
import { Card } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { Name } from "@/components/name";
import { Timestamp } from "@/components/timestamp";
import { plural } from "@/components/format";
import { EventsChartCard } from "@/components/activity/events-chart-card";
import type { Actor } from "@/lib/domain/access/types";
import { KIND_LABELS } from "@/lib/domain/credentials/labels";

/**
 * A bot's activity: everything it did, and everything done to it and its
 * credentials, keyset-paged, with a link to the audit log. The bot page
 * re-renders itself every 15 s while visible (the sessions panel's
 * AutoRefresh), so its first page shows new events as they arrive; an older
 * page (before=) stays as it is.
 */
export function BotActivity({ actor, botId, page, query, emptyText }: { actor: Actor; botId: string; page: EventPage; query: EventsQuery; emptyText: string }) {
  const here = `/users/bots/${botId}`;
  const firstPage = !query.before && !query.after;
  return (
    <>
      <EventsChartCard actor={actor} bot={botId} title="This bot's events per day, last 30 days (UTC)" />
      <Card aria-labelledby="activity-heading" className="min-w-0">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="activity-heading" className="text-base font-semibold">
            Activity
          </h2>
          <Link href={`/activity?bot=${botId}`} className="text-sm font-medium text-indigo-700 hover:underline" data-testid="bot-activity-link">
            Filter and export in the activity log →
          </Link>
        </div>
        <RecentActivity events={page.rows} emptyText={emptyText} />
        <Pager
          newest={firstPage ? null : here}
          newer={page.newer ? `${here}?after=${page.newer}#activity-heading` : null}
          older={page.older ? `${here}?before=${page.older}#activity-heading` : null}
        />
      </Card>
    </>
  );
}

/** A deleted bot's tombstone: read-only, who deleted it and when, and its full history. */
export function DeletedBotPage({ actor, bot, page, query }: { actor: Actor; bot: DeletedBot; page: EventPage; query: EventsQuery }) {
  return (
    <div className="flex flex-col gap-6" data-testid="bot-tombstone">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/users" className="text-indigo-700 hover:underline">
          Users &amp; bots
        </Link>
        <span aria-hidden="true" className="px-1.5 text-slate-400">
          /
        </span>
        <span className="text-slate-600">Deleted bot</span>
      </nav>
      <div className="min-w-0">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="min-w-0 text-2xl font-semibold tracking-tight" data-testid="bot-name">
            <Name name={bot.name} />
          </h1>
          <Badge tone="red">Deleted</Badge>
        </div>
        <p className="mt-1 text-slate-700" data-testid="tombstone-summary">
          <Name name={bot.name} /> — deleted <Timestamp at={bot.deletedAt} />
          {bot.deletedBy && (
            <>
              {" "}by <Name name={bot.deletedBy.name} />
            </>
          )}
        </p>
        <p className="mt-1 text-sm text-slate-600">
          {tombstoneCredentialsText(bot.credentialsDeleted)} Its name is free for a new bot. This page is read-only and keeps its history
          (until the account&apos;s retention period ends).
        </p>
        <p className="mt-1 font-mono text-xs text-slate-500">{bot.id}</p>
      </div>
      <Card>
        <dl className="grid gap-4 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-slate-500">Created</dt>
            <dd className="mt-0.5 font-medium">
              <Timestamp at={bot.createdAt} />
              {bot.createdBy && (
                <>
                  {" "}by <Name name={bot.createdBy.name} />
                </>
              )}
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">Deleted</dt>
            <dd className="mt-0.5 font-medium">
              <Timestamp at={bot.deletedAt} />
            </dd>
          </div>
          <div className="min-w-0">
            <dt className="text-slate-500">Credentials deleted with it</dt>
            <dd className="mt-0.5" data-testid="tombstone-credentials">
              {bot.credentialsDeleted.length === 0 ? (
                <span className="font-medium">None</span>
              ) : (
                <ul className="flex flex-col gap-0.5">
                  {bot.credentialsDeleted.map((c) => (
                    <li key={c.id} className="[overflow-wrap:anywhere]">
                      <span className="text-slate-600">{KIND_LABELS[c.kind as keyof typeof KIND_LABELS] ?? c.kind}</span>{" "}
                      <Link
                        href={`/activity?credential=${encodeURIComponent(c.id)}`}
                        className="font-mono text-indigo-700 hover:underline"
                        title={`Events with or about ${c.id}`}
                      >
                        {c.display}
                      </Link>
                      {c.alreadyRevoked && <span className="text-slate-500"> (already revoked)</span>}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
        </dl>
      </Card>
      <BotActivity actor={actor} botId={bot.id} page={page} query={query} emptyText="No history is left for this bot." />
    </div>
  );
}

/** "5 credentials were deleted with it: 4 revoked then, 1 already revoked." (what its bot.deleted event lists). */
function tombstoneCredentialsText(credentials: DeletedBot["credentialsDeleted"]): string {
  if (credentials.length === 0) return "No credentials are on record as deleted with it.";
  const already = credentials.filter((c) => c.alreadyRevoked).length;
  const revoked = credentials.length - already;
  const deleted = `${plural(credentials.length, "credential was", "credentials were")} deleted with it`;
  return already === 0 ? `${deleted}, revoked at that moment.` : `${deleted}: ${revoked} revoked at that moment, ${already} already revoked.`;
}
