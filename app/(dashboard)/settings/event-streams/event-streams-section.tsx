"use client";

import { useActionState, useEffect, useState } from "react";
import { callAction } from "@/components/call-action";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { SecretReveal } from "@/components/secret-reveal";
import { Timestamp } from "@/components/timestamp";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button, Spinner, SubmitButton } from "@/components/ui/button";
import { Field, SelectField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import type { DestinationView } from "@/lib/domain/event-streams/destination-view";
import type { DeliveryView } from "@/lib/domain/event-streams/read-deliveries";
import type { SubscriptionView } from "@/lib/domain/event-streams/subscription-view";
import { CATEGORY_LABELS, type EventCategory } from "@/lib/domain/events/catalogue";
import {
  createDestinationAction,
  createSubscriptionAction,
  deleteDestinationAction,
  deleteSubscriptionAction,
  redeliverAction,
  sendTestEventAction,
  type DestinationFormState,
  type SubscriptionFormState,
} from "./actions";

const DATADOG_SITES = ["datadoghq.com", "us3.datadoghq.com", "us5.datadoghq.com", "datadoghq.eu", "ap1.datadoghq.com", "ap2.datadoghq.com", "ddog-gov.com"];
const INITIAL_DESTINATION: DestinationFormState = { values: { kind: "webhook", url: "", description: "", ddsite: "datadoghq.com", ddtags: "", service: "" }, result: null };

/** Where a destination sends, in one line. */
function targetLine(d: DestinationView): string {
  const t = d.target as Record<string, string>;
  return d.kind === "webhook" ? t.url! : `Datadog ${t.ddsite}${t.service ? `, service ${t.service}` : ""}`;
}

/** A webhook (its signing secret shown once after adding it) or Datadog's logs intake. */
export function DestinationForm() {
  const toast = useToast();
  const [state, formAction] = useActionState<DestinationFormState, FormData>(createDestinationAction, INITIAL_DESTINATION);
  const [kind, setKind] = useState(state.values.kind || "webhook");
  const added = state.result?.ok ? state.result.data : null;
  useEffect(() => {
    if (added) toast.success(`Added ${targetLine(added.destination)}.`);
  }, [added, toast]);
  const failure = state.result && !state.result.ok ? state.result : null;
  const errors = failure?.fieldErrors ?? {};
  const key = `${added?.destination.id ?? "x"}:${state.values.url}:${state.values.description}`;
  return (
    <div className="flex flex-col gap-4">
      {added?.secret && (
        <div data-testid="webhook-secret">
          <SecretReveal
            label="Signing secret"
            value={added.secret}
            warning="Store this signing secret now: your receiver verifies every message with it, and it can't be shown again."
          />
        </div>
      )}
      <form action={formAction} key={key} className="flex flex-col gap-4" noValidate data-testid="add-destination-form">
        {failure && !errors.target && !errors.description && <Alert data-testid="add-destination-error">{failure.message}</Alert>}
        <div className="grid gap-4 md:grid-cols-2">
          <SelectField label="Kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="webhook">Webhook (HTTPS)</option>
            <option value="datadog">Datadog logs</option>
          </SelectField>
          <Field label="Description (optional)" name="description" defaultValue={state.values.description} error={errors.description} autoComplete="off" />
          {kind === "webhook" ? (
            <Field
              label="URL"
              name="url"
              defaultValue={state.values.url}
              error={errors.target}
              inputMode="url"
              autoComplete="off"
              spellCheck={false}
              placeholder="https://siem.example.com/botdesk"
              hint="An https:// URL on the internet: addresses of this server's own network are refused."
            />
          ) : (
            <>
              <Field label="Datadog API key" name="apiKey" type="password" autoComplete="off" error={errors.target} hint="Kept encrypted and never shown again." />
              <SelectField label="Datadog site" name="ddsite" defaultValue={state.values.ddsite}>
                {DATADOG_SITES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </SelectField>
              <Field label="Tags (optional)" name="ddtags" defaultValue={state.values.ddtags} autoComplete="off" placeholder="env:prod,team:platform" />
              <Field label="Service (optional)" name="service" defaultValue={state.values.service} autoComplete="off" placeholder="botdesk" />
            </>
          )}
        </div>
        <div>
          <SubmitButton pendingLabel="Adding…">Add destination</SubmitButton>
        </div>
      </form>
    </div>
  );
}

/** The destinations, each with its last messages (time, event, status, attempts, latency, answer), a test message and removal. */
export function DestinationsList({ destinations, deliveries }: { destinations: DestinationView[]; deliveries: Record<string, DeliveryView[]> }) {
  const toast = useToast();
  const [deleting, setDeleting] = useState<DestinationView | null>(null);
  const test = async (d: DestinationView) => {
    const result = await callAction(() => sendTestEventAction({ id: d.id }));
    if (result.ok) toast.success(`Test event queued for ${targetLine(d)}.`);
    else toast.error(result.message);
  };
  return (
    <div className="flex flex-col gap-4">
      <h2 id="destinations-heading" className="text-lg font-semibold">
        Destinations
      </h2>
      {destinations.length === 0 ? (
        <p data-testid="destinations-empty" className="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-600">
          No destinations yet. Add one above, then subscribe it to the events it should get.
        </p>
      ) : (
        <ul className="flex flex-col divide-y divide-slate-100" data-testid="destinations-list">
          {destinations.map((d) => (
            <li key={d.id} data-row-id={d.id} className="flex flex-col gap-2 py-3">
              <div className="flex flex-wrap items-center gap-2">
                <Badge tone="indigo">{d.kind === "webhook" ? "Webhook" : "Datadog"}</Badge>
                <span className="font-mono text-sm [overflow-wrap:anywhere]">{targetLine(d)}</span>
                {d.failingSince && (
                  <Badge tone="red" title="A message was given up after a day of retries">
                    Failing
                  </Badge>
                )}
                {d.description && <bdi className="text-sm text-slate-600">{d.description}</bdi>}
                <span className="text-xs text-slate-500">
                  added <Timestamp at={d.createdAt} />
                </span>
                <span className="ml-auto flex gap-2">
                  <Button variant="secondary" size="sm" onClick={() => void test(d)}>
                    Send test event
                  </Button>
                  <Button variant="secondary" size="sm" onClick={() => setDeleting(d)} aria-label={`Remove ${targetLine(d)}`}>
                    Remove
                  </Button>
                </span>
              </div>
              <DeliveryLog destinationId={d.id} rows={deliveries[d.id] ?? []} />
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        testId="delete-destination-dialog"
        title="Remove this destination?"
        confirmLabel="Remove destination"
        pendingLabel="Removing…"
        onConfirm={async () => {
          if (!deleting) return { ok: true };
          const result = await callAction(() => deleteDestinationAction({ id: deleting.id }));
          if (!result.ok) return { ok: false, message: result.message };
          toast.success("Destination removed.");
          return { ok: true };
        }}
      >
        <p>Nothing more is sent to {deleting ? targetLine(deleting) : "it"}; messages still waiting for it are dropped, and subscriptions stop naming it.</p>
      </ConfirmDialog>
    </div>
  );
}

const STATUS_TONE = { delivered: "green", pending: "amber", failed: "red" } as const;

function DeliveryLog({ destinationId, rows }: { destinationId: string; rows: DeliveryView[] }) {
  const toast = useToast();
  // Which button's request is in flight ("<eventId>:one", "<eventId>:from", "since"): that button shows it, all wait.
  const [busy, setBusy] = useState<string | null>(null);
  const again = async (key: string, input: { eventId?: string; since?: string }) => {
    setBusy(key);
    try {
      const result = await callAction(() => redeliverAction({ id: destinationId, ...input }));
      if (result.ok) toast.success(result.data.count === 1 ? "1 message queued again." : `${result.data.count} messages queued again.`);
      else toast.error(result.message);
      return result.ok;
    } finally {
      setBusy(null);
    }
  };
  const pendingButton = (key: string, label: string, pendingLabel: string, input: { eventId?: string; since?: string }, title?: string) => (
    <Button variant="secondary" size="sm" disabled={busy !== null} aria-busy={busy === key} title={title} onClick={() => void again(key, input)}>
      {busy === key && <Spinner />}
      {busy === key ? pendingLabel : label}
    </Button>
  );
  if (rows.length === 0) return <p className="text-xs text-slate-500">No messages yet.</p>;
  return (
    <details>
      <summary className="cursor-pointer text-sm text-indigo-700">Delivery log (last {rows.length})</summary>
      <RedeliverSince busy={busy} onSend={(since) => again("since", { since })} />
      <div className="mt-2 overflow-x-auto">
        <table className="w-full text-left text-xs" data-testid="delivery-log">
          <thead className="text-slate-600">
            <tr>
              <th scope="col" className="px-2 py-1">Time</th>
              <th scope="col" className="px-2 py-1">Event</th>
              <th scope="col" className="px-2 py-1">Status</th>
              <th scope="col" className="px-2 py-1">Attempts</th>
              <th scope="col" className="px-2 py-1">Latency</th>
              <th scope="col" className="px-2 py-1">Answer</th>
              <th scope="col" className="px-2 py-1">
                <span className="sr-only">Send again</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((r) => (
              <tr key={r.eventId}>
                <td className="px-2 py-1 whitespace-nowrap">
                  <Timestamp at={r.createdAt} />
                </td>
                <td className="px-2 py-1 font-mono">{r.eventType}</td>
                <td className="px-2 py-1">
                  <Badge tone={STATUS_TONE[r.status]}>{r.status}</Badge>
                </td>
                <td className="px-2 py-1">{r.attempts}</td>
                <td className="px-2 py-1">{r.latencyMs === null ? "—" : `${r.latencyMs} ms`}</td>
                <td className="px-2 py-1 [overflow-wrap:anywhere]">{r.lastStatus ?? r.lastError ?? "—"}</td>
                <td className="px-2 py-1 whitespace-nowrap">
                  {pendingButton(`${r.eventId}:one`, "Send again", "Queuing…", { eventId: r.eventId })}{" "}
                  {pendingButton(`${r.eventId}:from`, "Again from here", "Queuing…", { since: new Date(r.createdAt).toISOString() }, "This message and every later one")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/**
 * Everything of the destination since a time, in the viewer's own clock (the
 * browser turns the local time into an instant); the log reaches 30 days back.
 */
function RedeliverSince({ busy, onSend }: { busy: string | null; onSend: (since: string) => Promise<boolean> }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="mt-2 flex flex-wrap items-end gap-2"
      data-testid="redeliver-since-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const at = value ? new Date(value) : null;
        if (!at || Number.isNaN(at.getTime())) return setError("Enter a date and time.");
        if (at.getTime() > Date.now()) return setError("Choose a time in the past.");
        setError(null);
        void onSend(at.toISOString()).then((sent) => sent && setValue(""));
      }}
    >
      <label className="flex flex-col gap-1 text-xs">
        <span className="font-medium text-slate-700">Send again everything since</span>
        <input
          type="datetime-local"
          step={1}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={error !== null}
          aria-describedby={error ? "redeliver-since-error" : undefined}
          className="rounded-md border border-slate-300 px-2 py-1 text-sm"
        />
      </label>
      <Button type="submit" variant="secondary" size="sm" disabled={busy !== null} aria-busy={busy === "since"}>
        {busy === "since" && <Spinner />}
        {busy === "since" ? "Queuing…" : "Send again"}
      </Button>
      {error && (
        <p id="redeliver-since-error" role="alert" className="w-full text-xs text-red-700">
          {error}
        </p>
      )}
    </form>
  );
}

const INITIAL_SUBSCRIPTION: SubscriptionFormState = { values: { destinationId: "", description: "", types: [] }, result: null };

/** Which event types go to a destination: the types grouped as the activity log's categories. */
export function SubscriptionForm({ destinations, types }: { destinations: DestinationView[]; types: { name: string; label: string; category: EventCategory }[] }) {
  const toast = useToast();
  const [state, formAction] = useActionState<SubscriptionFormState, FormData>(createSubscriptionAction, INITIAL_SUBSCRIPTION);
  const added = state.result?.ok ? state.result.data : null;
  useEffect(() => {
    if (added) toast.success(`Subscribed to ${added.sources.length} event types.`);
  }, [added, toast]);
  const failure = state.result && !state.result.ok ? state.result : null;
  const errors = failure?.fieldErrors ?? {};
  if (destinations.length === 0) return <p className="text-sm text-slate-600">Add a destination first.</p>;
  const categories = [...new Set(types.map((t) => t.category))];
  return (
    <form action={formAction} key={`${added?.id ?? "x"}:${state.values.types.join()}`} className="flex flex-col gap-4" noValidate data-testid="add-subscription-form">
      {failure && <Alert data-testid="add-subscription-error">{Object.values(errors)[0] ?? failure.message}</Alert>}
      <div className="grid gap-4 md:grid-cols-2">
        <SelectField label="Destination" name="destinationId" defaultValue={state.values.destinationId || destinations[0]!.id}>
          {destinations.map((d) => (
            <option key={d.id} value={d.id}>
              {targetLine(d)}
            </option>
          ))}
        </SelectField>
        <Field label="Description (optional)" name="description" defaultValue={state.values.description} autoComplete="off" />
      </div>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {categories.map((c) => (
          <fieldset key={c} className="flex flex-col gap-1">
            <legend className="mb-1 text-sm font-medium">{CATEGORY_LABELS[c]}</legend>
            {types
              .filter((t) => t.category === c)
              .map((t) => (
                <label key={t.name} className="flex items-start gap-2 text-sm">
                  <input type="checkbox" name="types" value={t.name} defaultChecked={state.values.types.includes(t.name)} className="mt-1" />
                  <span>
                    {t.label} <code className="text-xs text-slate-500">{t.name}</code>
                  </span>
                </label>
              ))}
          </fieldset>
        ))}
      </div>
      <div>
        <SubmitButton pendingLabel="Subscribing…">Add subscription</SubmitButton>
      </div>
    </form>
  );
}

export function SubscriptionsList({ subscriptions, destinations }: { subscriptions: SubscriptionView[]; destinations: DestinationView[] }) {
  const toast = useToast();
  const [deleting, setDeleting] = useState<SubscriptionView | null>(null);
  const nameOf = (id: string) => {
    const d = destinations.find((x) => x.id === id);
    return d ? targetLine(d) : id;
  };
  return (
    <div className="flex flex-col gap-4">
      <h2 id="subscriptions-heading" className="text-lg font-semibold">
        Subscriptions
      </h2>
      {subscriptions.length === 0 ? (
        <p data-testid="subscriptions-empty" className="text-sm text-slate-600">
          No subscriptions yet: nothing is sent.
        </p>
      ) : (
        <ul className="flex flex-col divide-y divide-slate-100" data-testid="subscriptions-list">
          {subscriptions.map((s) => (
            <li key={s.id} data-row-id={s.id} className="flex flex-wrap items-start gap-2 py-3 text-sm">
              <div className="flex min-w-0 flex-1 flex-col gap-1">
                {s.description && <bdi className="font-medium">{s.description}</bdi>}
                <p className="[overflow-wrap:anywhere]">
                  To {s.destinationIds.length === 0 ? "no destination" : s.destinationIds.map(nameOf).join(", ")}:{" "}
                  <span className="font-mono text-xs">{s.sources.join(", ") || "no event types"}</span>
                </p>
              </div>
              <Button variant="secondary" size="sm" onClick={() => setDeleting(s)}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={deleting !== null}
        onClose={() => setDeleting(null)}
        testId="delete-subscription-dialog"
        title="Remove this subscription?"
        confirmLabel="Remove subscription"
        pendingLabel="Removing…"
        onConfirm={async () => {
          if (!deleting) return { ok: true };
          const result = await callAction(() => deleteSubscriptionAction({ id: deleting.id }));
          if (!result.ok) return { ok: false, message: result.message };
          toast.success("Subscription removed.");
          return { ok: true };
        }}
      >
        <p>Its event types stop being queued for its destinations; messages already queued are still sent.</p>
      </ConfirmDialog>
    </div>
  );
}
