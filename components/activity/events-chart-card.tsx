import { Suspense } from "react";
import type { Actor } from "@/lib/domain/access/types";
import { eventsPerDay } from "@/lib/domain/events/events-per-day";
import { Card } from "@/components/ui/card";
import { EventsChart } from "./events-chart";

async function LoadedChart({ actor, bot, title }: { actor: Actor; bot?: string; title: string }) {
  return <EventsChart data={await eventsPerDay(actor, { bot })} title={title} />;
}

/** The chart in a card, streamed after the rest of the page (a bot's chart counts its month of events). */
export function EventsChartCard({ actor, bot, title }: { actor: Actor; bot?: string; title: string }) {
  return (
    <Card className="min-w-0">
      <Suspense fallback={<div className="h-40 animate-pulse rounded bg-slate-100" aria-label="Loading the chart" />}>
        <LoadedChart actor={actor} bot={bot} title={title} />
      </Suspense>
    </Card>
  );
}
