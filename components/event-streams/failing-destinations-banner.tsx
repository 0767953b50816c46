import Link from "next/link";
import type { Actor } from "@/lib/domain/access/types";
import { countFailingDestinations } from "@/lib/domain/event-streams/read-destinations";

/** Admins' banner on every dashboard page while an event destination is failing (a message given up after a day of retries). */
export async function FailingDestinationsBanner({ actor }: { actor: Actor }) {
  const failing = await countFailingDestinations(actor);
  if (failing === 0) return null;
  return (
    <div role="status" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="failing-destinations-banner">
      {failing === 1 ? "An event destination is failing" : `${failing} event destinations are failing`}: events could not be delivered for a day.{" "}
      <Link href="/settings/event-streams" className="font-medium underline">
        See the delivery log
      </Link>
    </div>
  );
}
