import type { EventRow } from "@/lib/domain/events/list-events";
import { EventList, type EventListRow } from "./activity/event-list";

/** What a row shows, and nothing more (not the keyset cursor, the category, the bot id). */
function toEventListRows(events: EventRow[]): EventListRow[] {
  return events.map((e) => ({ id: e.id, type: e.type, label: e.label, source: e.source, actor: e.actor, subject: e.subject, summary: e.summary, credential: e.credential, ip: e.ip, createdAt: e.createdAt.toISOString() }));
}

const DEFAULT_EMPTY = "Nothing has happened in this account yet. Actions by people and bots will show up here.";

/**
 * A list of events: what happened (a readable label, opening the event's
 * detail), by whom ("System" for Botdesk itself, "name (deleted)" for a
 * deleted bot), about what, from where (source, credential used, IP) and when
 * (relative, and absolute in UTC as on every page).
 */
export function RecentActivity({ events, emptyText = DEFAULT_EMPTY }: { events: EventRow[]; emptyText?: string }) {
  if (events.length === 0) {
    return (
      <p className="text-sm text-slate-600" data-testid="recent-activity-empty">
        {emptyText}
      </p>
    );
  }
  return <EventList events={toEventListRows(events)} />;
}
