import type { Metadata } from "next";
import { requireActor } from "@/lib/auth/actor";
import { getSeatUsage, seatSummaryText } from "@/lib/domain/accounts/get-seat-usage";
import { listBots } from "@/lib/domain/bots/list-bots";
import { listPeople } from "@/lib/domain/people/list-people";
import { canManage } from "@/lib/domain/permissions";
import { listBotsQuerySchema } from "@/lib/validation/bots";
import { queryFromSearchParams } from "@/lib/validation/common";
import { listPeopleQuerySchema } from "@/lib/validation/people-admin";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { BotsSection } from "./bots-section";
import { PeopleSection } from "./people-section";

export const metadata: Metadata = { title: "Users & bots" };

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  const params = await searchParams;
  const botQuery = listBotsQuerySchema.parse(queryFromSearchParams(params, "b"));
  const peopleQuery = listPeopleQuerySchema.parse(queryFromSearchParams(params, "p"));
  const [seats, bots, people] = await Promise.all([
    getSeatUsage(actor.account.id),
    listBots(actor.account.id, botQuery),
    listPeople(actor.account.id, peopleQuery),
  ]);
  const manage = canManage(actor);

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Users &amp; bots</h1>
        <p className="text-sm text-slate-700" data-testid="users-seat-summary">
          {seatSummaryText(seats)}
        </p>
        {!manage && (
          <p className="text-sm text-slate-600" data-testid="read-only-note">
            You can see everyone here. Only owners and admins can add, change or remove people and bots.
          </p>
        )}
      </div>
      {seats.atLimit && (
        <Alert tone="warning" data-testid="seat-limit-warning">
          All {seats.limit} seats are in use: adding or reactivating a person needs a free seat. Bots don&apos;t use seats, so you can
          still create bots.
        </Alert>
      )}
      <Card aria-labelledby="people-heading" className="min-w-0">
        <PeopleSection
          page={people}
          query={peopleQuery}
          manage={manage}
          actor={{ id: actor.principal.id, role: actor.role }}
          atSeatLimit={seats.atLimit}
        />
      </Card>
      <Card aria-labelledby="bots-heading" className="min-w-0">
        <BotsSection page={bots} query={botQuery} manage={manage} />
      </Card>
    </div>
  );
}
