import type { Metadata } from "next";
import Link from "next/link";
import { requireActor } from "@/lib/auth/actor";
import { listDestinationsBefore } from "@/lib/domain/event-streams/read-destinations";
import { listRecentDeliveries } from "@/lib/domain/event-streams/read-deliveries";
import { listSubscriptionsBefore } from "@/lib/domain/event-streams/read-subscriptions";
import { STREAM_TYPES } from "@/lib/domain/event-streams/stream-types";
import { EVENT_CATALOGUE } from "@/lib/domain/events/catalogue";
import { mayManageEventStreams } from "@/lib/domain/permissions";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { DestinationForm, DestinationsList, SubscriptionForm, SubscriptionsList } from "./event-streams-section";

export const metadata: Metadata = { title: "Event streams" };

/** Settings → Event streams: where the account's events are sent (docs/event-streams.md). Owners and admins only; members see why. */
export default async function EventStreamsPage() {
  const actor = await requireActor();
  const manage = mayManageEventStreams(actor);
  const header = (
    <div className="flex flex-col gap-1">
      <p className="text-sm">
        <Link href="/settings" className="font-medium text-indigo-700 hover:underline">
          Settings
        </Link>
      </p>
      <h1 className="text-2xl font-semibold tracking-tight">Event streams</h1>
      <p className="max-w-3xl text-sm text-slate-600">
        Send the activity log, as it happens, to a webhook of yours (signed the Standard Webhooks way) or to Datadog&apos;s logs. A destination says where;
        a subscription says which events go there. Nothing is lost while a receiver is down: messages wait and are sent in order when it is back.
      </p>
    </div>
  );
  if (!manage) {
    return (
      <div className="flex flex-col gap-6">
        {header}
        <p className="text-sm text-slate-600" data-testid="event-streams-read-only-note">
          Only owners and admins can see and change where the account&apos;s events are sent.
        </p>
      </div>
    );
  }
  const [destinations, subscriptions] = await Promise.all([listDestinationsBefore(actor, { beforeId: null, limit: 100 }), listSubscriptionsBefore(actor, { beforeId: null, limit: 100 })]);
  const deliveries = await listRecentDeliveries(
    actor,
    destinations.rows.map((d) => d.id),
  );
  const failing = destinations.rows.filter((d) => d.failingSince);
  const types = STREAM_TYPES.map((t) => ({ name: t.name, label: EVENT_CATALOGUE[t.type].label, category: EVENT_CATALOGUE[t.type].category }));
  return (
    <div className="flex flex-col gap-6">
      {header}
      {failing.length > 0 && (
        <Alert tone="warning" data-testid="event-streams-failing">
          {failing.length === 1 ? "A destination is failing" : `${failing.length} destinations are failing`}: a message to it was given up after a day of retries.
          Its delivery log below says why; it recovers by itself at the next message that gets through.
        </Alert>
      )}
      <Card aria-labelledby="add-destination-heading">
        <h2 id="add-destination-heading" className="mb-4 text-base font-semibold">
          Add a destination
        </h2>
        <DestinationForm />
      </Card>
      <Card aria-labelledby="destinations-heading" className="min-w-0">
        <DestinationsList destinations={destinations.rows} deliveries={Object.fromEntries(deliveries)} />
      </Card>
      <Card aria-labelledby="add-subscription-heading">
        <h2 id="add-subscription-heading" className="mb-4 text-base font-semibold">
          Add a subscription
        </h2>
        <SubscriptionForm destinations={destinations.rows} types={types} />
      </Card>
      <Card aria-labelledby="subscriptions-heading" className="min-w-0">
        <SubscriptionsList subscriptions={subscriptions.rows} destinations={destinations.rows} />
      </Card>
    </div>
  );
}
