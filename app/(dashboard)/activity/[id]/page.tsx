import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireActor } from "@/lib/auth/actor";
import { getEvent } from "@/lib/domain/events/list-events";
import { isRecord } from "@/lib/domain/events/summary";
import { CATEGORY_LABELS } from "@/lib/domain/events/catalogue";
import { Card } from "@/components/ui/card";
import { EventActor, EventSubject, sourceLabel } from "@/components/activity/event-parts";
import { RelativeTimestamp } from "@/components/relative-timestamp";
import { Name } from "@/components/name";

type Props = { params: Promise<{ id: string }> };

export const metadata: Metadata = { title: "Event" };

const show = (v: unknown) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

/** One event with every field: what changed (before → after), who, how, from where, and the raw data. */
export default async function EventPage({ params }: Props) {
  const actor = await requireActor();
  const { id } = await params;
  const event = /^ev_[0-9A-Za-z]{1,40}$/.test(id) ? await getEvent(actor, id) : null;
  if (!event) notFound();
  const before = isRecord(event.data.before) ? event.data.before : null;
  const after = isRecord(event.data.after) ? event.data.after : null;
  const changed = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const rest = Object.entries(event.data).filter(([k]) => !((k === "before" && before) || (k === "after" && after)));

  const fields: [string, React.ReactNode][] = [
    ["Event", <><strong>{event.label}</strong> <code className="text-xs text-slate-500">{event.type}</code></>],
    ["Category", CATEGORY_LABELS[event.category]],
    ["When", <><RelativeTimestamp iso={event.createdAt.toISOString()} /> <code className="block text-xs text-slate-500">{event.createdAt.toISOString()}</code></>],
    ["Done by", <><EventActor event={event} />{event.source === "system" && <span className="text-slate-500"> (Botdesk itself; recorded for <Name name={event.actor.name} />)</span>}</>],
    ["Source", sourceLabel(event.source)],
    ["Credential used", event.credential ? <><code>{event.credential.display}</code> <Link className="text-indigo-700 hover:underline" href={`/activity?credential=${event.credential.id}`}>{event.credential.id}</Link></> : "None"],
    ["Subject", event.subject ? <><EventSubject subject={event.subject} /> <span className="text-xs text-slate-500">{event.subject.kind} · {event.subject.id}</span></> : "None"],
    ["Bot concerned", event.botId ? <><Link className="text-indigo-700 hover:underline" href={`/users/bots/${event.botId}`} data-testid="event-bot">{event.bot ? <><Name name={event.bot.name} />{event.bot.deleted && " (deleted)"}</> : event.botId}</Link> <span className="text-xs text-slate-500">{event.botId}</span></> : "None"],
    ["IP address", event.ip ?? <span className="text-slate-500">Hidden or unknown (only admins see other principals&apos; addresses)</span>],
    ["User agent", event.userAgent ? <span className="[overflow-wrap:anywhere]">{event.userAgent}</span> : <span className="text-slate-500">Hidden or unknown</span>],
    ["Event id", <code key="id" className="[overflow-wrap:anywhere]">{event.id}</code>],
  ];

  return (
    <div className="flex flex-col gap-6">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/activity" className="text-indigo-700 hover:underline">
          Activity
        </Link>
        <span aria-hidden="true" className="px-1.5 text-slate-400">/</span>
        <span className="text-slate-600">Event</span>
      </nav>
      <h1 className="text-2xl font-semibold tracking-tight" data-testid="event-title">
        {event.label}
        {event.subject && (
          <>
            : <Name name={event.subject.name} />
          </>
        )}
      </h1>
      <Card>
        <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]" data-testid="event-fields">
          {fields.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-slate-500">{label}</dt>
              <dd className="min-w-0 [overflow-wrap:anywhere]">{value}</dd>
            </div>
          ))}
        </dl>
      </Card>
      {changed.length > 0 && (
        <Card aria-labelledby="change-heading" className="min-w-0">
          <h2 id="change-heading" className="mb-3 text-base font-semibold">What changed</h2>
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="event-diff">
              <thead className="text-slate-500">
                <tr>
                  <th scope="col" className="py-1 pr-4 font-medium">Field</th>
                  <th scope="col" className="py-1 pr-4 font-medium">Before</th>
                  <th scope="col" className="py-1 font-medium">After</th>
                </tr>
              </thead>
              <tbody>
                {changed.map((k) => (
                  <tr key={k} className="border-t border-slate-100 align-top">
                    <th scope="row" className="py-1.5 pr-4 font-medium">{k}</th>
                    <td className="py-1.5 pr-4 [overflow-wrap:anywhere] text-red-800"><bdi>{show(before?.[k])}</bdi></td>
                    <td className="py-1.5 [overflow-wrap:anywhere] text-emerald-800"><bdi>{show(after?.[k])}</bdi></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
      {rest.length > 0 && (
        <Card aria-labelledby="data-heading" className="min-w-0">
          <h2 id="data-heading" className="mb-3 text-base font-semibold">Details</h2>
          <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]" data-testid="event-data">
            {rest.map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-slate-500">{k}</dt>
                <dd className="min-w-0">
                  <pre className="font-mono text-xs whitespace-pre-wrap [overflow-wrap:anywhere]"><bdi>{typeof v === "string" ? v : JSON.stringify(v, null, 2)}</bdi></pre>
                </dd>
              </div>
            ))}
          </dl>
        </Card>
      )}
    </div>
  );
}
