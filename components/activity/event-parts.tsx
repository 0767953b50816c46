import Link from "next/link";
import type { EventRow } from "@/lib/domain/events/list-events";
import { SOURCE_LABELS, type EventSourceFilter } from "@/lib/domain/events/filters";
import type { SummaryPart } from "@/lib/domain/events/summary";
import { Name } from "@/components/name";
import { Timestamp } from "@/components/timestamp";

const link = "text-indigo-700 hover:underline focus-visible:underline";

/** Where a principal's activity is: a bot's page (also a deleted bot's tombstone), a person's events. */
export function principalHref(p: { id: string; kind: "person" | "bot" | string | null }): string {
  return p.kind === "bot" ? `/users/bots/${p.id}` : `/activity?principal=${encodeURIComponent(p.id)}`;
}

/** Who did it: "System" for what Botdesk did by itself (source system), else the principal, "name (deleted)" for a deleted bot. */
export function EventActor({ event }: { event: Pick<EventRow, "source" | "actor"> }) {
  if (event.source === "system") return <span className="font-medium" data-testid="event-actor">System</span>;
  return (
    <Link href={principalHref(event.actor)} className={`font-medium ${link}`} data-testid="event-actor">
      <Name name={event.actor.name} />
      {event.actor.deleted && " (deleted)"}
    </Link>
  );
}

/** What it was about, with its name at the time, linked where it has a place. */
export function EventSubject({ subject }: { subject: EventRow["subject"] }) {
  if (!subject) return null;
  const href =
    subject.kind === "bot" ? `/users/bots/${subject.id}` : subject.kind === "person" ? `/activity?principal=${encodeURIComponent(subject.id)}` : subject.kind === "credential" ? `/activity?credential=${encodeURIComponent(subject.id)}` : null;
  const name = <Name name={subject.name} />;
  return href ? (
    <Link href={href} className={link} data-testid="event-subject">
      {name}
    </Link>
  ) : (
    <span data-testid="event-subject">{name}</span>
  );
}

export function sourceLabel(source: string): string {
  return SOURCE_LABELS[source as EventSourceFilter] ?? source;
}

/** A summary's value: a time as every time on the page, a credential as tables show it (linked to its events), else the text. */
function SummaryValue({ value, time, credentialId, className }: { value: string; time?: boolean; credentialId?: string; className?: string }) {
  if (time && value !== "(none)") return <Timestamp at={new Date(value)} className={className} />;
  if (credentialId) {
    return (
      <Link href={`/activity?credential=${encodeURIComponent(credentialId)}`} className={`font-mono ${link}`} title={credentialId}>
        <bdi>{value}</bdi>
      </Link>
    );
  }
  return <bdi className={className}>{value}</bdi>;
}

/** What changed or why, in one line: `name: billing-sync → billing-sync-2 · …`; each value isolated (<bdi>) so a name cannot reorder the line. */
export function EventSummaryLine({ parts }: { parts: SummaryPart[] }) {
  return (
    <p className="mt-0.5 text-xs text-slate-700 [overflow-wrap:anywhere]" data-testid="event-summary">
      {parts.map((p, i) => (
        <span key={p.label}>
          {i > 0 && <span className="text-slate-400"> · </span>}
          <span className="text-slate-500">{p.label}: </span>
          {"value" in p ? (
            <SummaryValue value={p.value} time={p.time} credentialId={p.credentialId} />
          ) : (
            <>
              <SummaryValue value={p.before} time={p.time} className="text-red-800" />
              <span> → </span>
              <SummaryValue value={p.after} time={p.time} className="text-emerald-800" />
            </>
          )}
        </span>
      ))}
    </p>
  );
}
