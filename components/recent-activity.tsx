import type { EventView } from "@/lib/domain/events/list-recent-events";
import { formatDateTime } from "./format";
import { Name } from "./name";

const DEFAULT_EMPTY = "Nothing has happened in this account yet. Actions by people and bots will show up here.";

/** A list of events, each attributed to its principal ("name (deleted)" for a deleted bot). */
export function RecentActivity({ events, emptyText = DEFAULT_EMPTY }: { events: EventView[]; emptyText?: string }) {
  if (events.length === 0) {
    return (
      <p className="text-sm text-slate-600" data-testid="recent-activity-empty">
        {emptyText}
      </p>
    );
  }
  return (
    <ul className="divide-y divide-slate-100" data-testid="recent-activity">
      {events.map((e) => (
        <li key={e.id} className="flex flex-col gap-0.5 py-2.5 text-sm sm:flex-row sm:items-baseline sm:gap-3">
          <time dateTime={e.createdAt.toISOString()} className="shrink-0 text-xs whitespace-nowrap text-slate-500 sm:w-40">
            {formatDateTime(e.createdAt)}
          </time>
          <span className="min-w-0">
            <span className="font-medium">
              <Name name={e.actor.name} />
              {e.actor.deleted && " (deleted)"}
            </span>{" "}
            <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">{e.actor.kind}</span>{" "}
            <code className="text-xs text-indigo-700">{e.type}</code>
            {e.subjectName && e.subjectName !== e.actor.name && <span className="text-slate-600"> · <Name name={e.subjectName} /></span>}
            <span className="text-slate-500"> · via {e.source}</span>
            {e.ip && <span className="text-slate-500"> · {e.ip}</span>}
          </span>
        </li>
      ))}
    </ul>
  );
}
