"use client";

import Link from "next/link";
import type { EventRow } from "@/lib/domain/events/list-events";
import { EventActor, EventSubject, EventSummaryLine, sourceLabel } from "./event-parts";
import { RelativeTimestamp } from "@/components/relative-timestamp";

/** What a feed's row shows of an event, and nothing more: the page sends these fields, not an element tree. */
export type EventListRow = Pick<EventRow, "id" | "type" | "label" | "source" | "actor" | "subject" | "summary" | "credential" | "ip"> & { createdAt: string };

/**
 * The rows of a feed (RecentActivity), rendered from the events' fields. A client component for the
 * page's cost (issue 20): a server component's rows reach the browser as their whole element tree
 * (about 1.8 kB of React's payload a row, rendered on the server twice: the tree, then its HTML);
 * as a client component's props they are a few hundred bytes of data, and the HTML is rendered once.
 */
export function EventList({ events }: { events: EventListRow[] }) {
  return (
    <ul className="divide-y divide-slate-100" data-testid="recent-activity">
      {events.map((e) => (
        <li key={e.id} className="flex flex-col gap-1 py-2.5 text-sm sm:flex-row sm:items-start sm:justify-between sm:gap-4" data-testid="event-row" data-event-type={e.type} data-event-id={e.id}>
          <div className="min-w-0">
            <p className="[overflow-wrap:anywhere]">
              <Link href={`/activity/${e.id}`} className="font-semibold text-slate-900 hover:underline focus-visible:underline" data-testid="event-label">
                {e.label}
              </Link>{" "}
              <code className="text-xs text-slate-500">{e.type}</code>
              {e.subject && (
                <>
                  <span className="text-slate-400"> · </span>
                  <EventSubject subject={e.subject} />
                </>
              )}
            </p>
            {e.summary.length > 0 && <EventSummaryLine parts={e.summary} />}
            <p className="mt-0.5 text-xs text-slate-600 [overflow-wrap:anywhere]">
              by <EventActor event={e} />
              {e.source !== "system" && (
                <span className="ml-1 rounded bg-slate-100 px-1 py-px text-[11px] text-slate-600" data-testid="event-actor-kind">
                  {e.actor.kind}
                </span>
              )}
              <span className="text-slate-400"> · </span>
              <span data-testid="event-source">{sourceLabel(e.source)}</span>
              {e.credential && (
                <>
                  <span className="text-slate-400"> · </span>
                  with{" "}
                  <Link
                    href={`/activity?credential=${encodeURIComponent(e.credential.id)}`}
                    className="font-mono text-slate-700 hover:underline focus-visible:underline"
                    title={`Events with or about ${e.credential.id}`}
                    data-testid="event-credential"
                  >
                    {e.credential.display}
                  </Link>
                </>
              )}
              {e.ip && (
                <>
                  <span className="text-slate-400"> · </span>
                  <span data-testid="event-ip">{e.ip}</span>
                </>
              )}
            </p>
          </div>
          <span className="shrink-0 text-xs text-slate-700 sm:text-right">
            <RelativeTimestamp iso={e.createdAt} />
          </span>
        </li>
      ))}
    </ul>
  );
}
