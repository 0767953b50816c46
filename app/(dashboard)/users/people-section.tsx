"use client";

import { Name } from "@/components/name";
import { useMemo, useState } from "react";
import { DataTable, dataTableColumnHelper, type ServerPage } from "@/components/data-table";
import { NoMatches } from "@/components/no-matches";
import { TableFilters } from "@/components/table-filters";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { useUrlState } from "@/components/use-url-state";
import type { PersonRow } from "@/lib/domain/people/types";
import type { ListPeopleQuery } from "@/lib/validation/people-admin";
import { Timestamp } from "@/components/timestamp";
import { AddPersonDialog, RemovePersonDialog } from "./lazy-dialogs";
import { ResetPasswordButton, ResetTwoFactorButton, RoleSelect, roleLabel, TogglePersonActiveButton } from "./row-controls";

const KEYS = { q: "pq", status: "pstatus", sort: "psort", dir: "pdir", page: "ppage", size: "psize" } as const;
const DEFAULTS = { sort: "name", dir: "asc", size: 25 } as const;
const NOUN = { one: "person", many: "people" };
const STATUS_OPTIONS = [
  { value: "all", label: "All" },
  { value: "active", label: "Active" },
  { value: "deactivated", label: "Deactivated" },
];

const col = dataTableColumnHelper<PersonRow>();
const personRowId = (p: PersonRow) => p.id;
const personLabel = (p: PersonRow) => p.name;

/** The people of the account (each uses a seat while active); owners and admins manage them. */
export function PeopleSection({
  page,
  query,
  manage,
  actor,
  atSeatLimit,
}: {
  page: ServerPage<PersonRow>;
  query: ListPeopleQuery;
  manage: boolean;
  actor: { id: string; role: PersonRow["role"] };
  atSeatLimit: boolean;
}) {
  const { hrefWith } = useUrlState();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<PersonRow | null>(null);

  const columns = useMemo(
    () => [
      col.accessor("name", {
        id: "name",
        header: "Name",
        meta: { className: "min-w-44 max-w-sm break-words" },
        cell: ({ row }) => (
          <span className="inline-flex max-w-full flex-wrap items-center gap-2 font-medium">
            <Name name={row.original.name} clamp className="min-w-0" />
            {row.original.id === actor.id && <Badge tone="indigo">You</Badge>}
          </span>
        ),
      }),
      // Wraps anywhere (an address is one long word): a long one must not push the row's actions out of the table.
      col.accessor("email", {
        id: "email",
        header: "Email",
        meta: { className: "min-w-48 [overflow-wrap:anywhere]" },
        cell: ({ row }) => <bdi>{row.original.email}</bdi>,
      }),
      col.accessor("role", {
        id: "role",
        header: "Role",
        cell: ({ row }) => (manage ? <RoleSelect person={row.original} actorRole={actor.role} /> : roleLabel(row.original.role)),
      }),
      // Seat review: the seat rule is "active in the account", so the status says who holds a seat.
      col.accessor("active", {
        id: "status",
        header: "Status",
        cell: ({ row }) => (
          <span className="inline-flex flex-col items-start gap-0.5">
            <StatusBadge active={row.original.active} />
            <span className="text-xs whitespace-nowrap text-slate-500" data-testid={row.original.active ? "holds-seat" : undefined}>
              {row.original.active ? "Holds a seat" : "No seat"}
            </span>
            {row.original.twoFactor && (
              <span className="text-xs whitespace-nowrap text-emerald-700" data-testid="has-two-factor">
                Two-factor on
              </span>
            )}
          </span>
        ),
      }),
      col.accessor("lastSignInAt", {
        id: "lastSignIn",
        header: "Last sign-in",
        // May wrap ("Nov 29, 2026," / "04:59 UTC"), so the row's actions fit at 1280 px.
        meta: { className: "min-w-32" },
        cell: ({ row }) => {
          const at = row.original.lastSignInAt;
          const acted = row.original.lastActivityAt;
          return (
            <span className="inline-flex flex-col">
              {at ? <Timestamp at={at} /> : <span className="text-slate-500">Never</span>}
              {/* Seat review: last activity under the last sign-in, to keep the row's actions on one line. */}
              <span className="text-xs text-slate-500">
                Last active <span className="whitespace-nowrap">{acted ? <Timestamp at={acted} dateOnly /> : "never"}</span>
              </span>
            </span>
          );
        },
      }),
      ...(manage
        ? [
            col.display({
              id: "actions",
              header: "Actions",
              meta: { srOnlyHeader: true, className: "w-0 text-right whitespace-nowrap" },
              // Nobody deactivates or removes themselves, and only owners change owners (the server refuses both anyway).
              cell: ({ row }) =>
                row.original.id === actor.id || (row.original.role === "owner" && actor.role !== "owner") ? null : (
                  <div className="-mr-1 flex justify-end">
                    {/* An admin resets members' sign-in only (refuseResetByRank); the server refuses the rest anyway. */}
                    {(actor.role === "owner" || row.original.role === "member") && <ResetPasswordButton person={row.original} />}
                    {row.original.twoFactor && (actor.role === "owner" || row.original.role === "member") && <ResetTwoFactorButton person={row.original} />}
                    <TogglePersonActiveButton person={row.original} />
                    <Button
                      variant="dangerGhost"
                      size="sm"
                      aria-label={`Remove ${row.original.name}`}
                      onClick={() => setRemoving(row.original)}
                    >
                      Remove
                    </Button>
                  </div>
                ),
            }),
          ]
        : []),
    ],
    [manage, actor.id, actor.role],
  );

  const filters = useMemo(
    () => [
      { id: "name", value: query.q },
      { id: "status", value: query.status },
    ],
    [query.q, query.status],
  );
  const filtered = query.q !== "" || query.status !== "all";

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="people-heading" className="text-lg font-semibold">
            People
          </h2>
          <p className="text-sm text-slate-600">People sign in to this dashboard. Each active person uses a seat.</p>
        </div>
        {manage && <Button onClick={() => setAdding(true)}>Add person</Button>}
      </div>

      <TableFilters
        keys={KEYS}
        q={query.q}
        status={query.status}
        statusOptions={STATUS_OPTIONS}
        searchLabel="Search people"
        placeholder="Name or email contains…"
        testId="people-filters"
      />

      <DataTable
        caption="People"
        testId="people-table"
        columns={columns}
        page={page}
        getRowId={personRowId}
        rowLabel={personLabel}
        sort={{ id: query.sort, desc: query.dir === "desc" }}
        filters={filters}
        urlKeys={KEYS}
        urlDefaults={DEFAULTS}
        noun={NOUN}
        empty={
          filtered ? (
            <NoMatches noun="people" clearHref={hrefWith({ [KEYS.q]: null, [KEYS.status]: null, [KEYS.page]: null })} />
          ) : (
            <p>No people yet.</p>
          )
        }
      />

      {manage && (
        <>
          <AddPersonDialog open={adding} onClose={() => setAdding(false)} actorRole={actor.role} atSeatLimit={atSeatLimit} />
          <RemovePersonDialog person={removing} onClose={() => setRemoving(null)} />
        </>
      )}
    </div>
  );
}
