"use client";

import { useActionState, useEffect, useMemo, useState } from "react";
import { callAction } from "@/components/call-action";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { DataTable, dataTableColumnHelper, type ServerPage } from "@/components/data-table";
import { Timestamp } from "@/components/timestamp";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import type { ReservedDomainView } from "@/lib/domain/domains/reserved-domain-view";
import { DOMAIN_LABEL_MAX_BYTES, DOMAIN_NAME_MAX_BYTES } from "@/lib/validation/domain-name";
import { DESCRIPTION_MAX_BYTES } from "@/lib/validation/limits";
import { deleteReservedDomainAction, reserveDomainAction, type ReserveDomainFormState } from "./actions";

const KEYS = { sort: "dsort", dir: "ddir", page: "dpage", size: "dsize" } as const;
const DEFAULTS = { sort: "created", dir: "desc", size: 25 } as const;
const NOUN = { one: "domain", many: "domains" };
const SORT = { id: "created", desc: true };
const NO_FILTERS: never[] = [];

const col = dataTableColumnHelper<ReservedDomainView>();
const rowId = (d: ReservedDomainView) => d.id;
const rowLabel = (d: ReservedDomainView) => d.domain;

const BASE_COLUMNS = [
  col.accessor("domain", {
    id: "domain",
    header: "Domain",
    enableSorting: false,
    meta: { className: "min-w-44 font-mono text-sm [overflow-wrap:anywhere]" },
    cell: ({ row }) => <span data-testid="domain-name">{row.original.domain}</span>,
  }),
  col.accessor("description", {
    id: "description",
    header: "Description",
    enableSorting: false,
    meta: { className: "max-w-sm break-words" },
    cell: ({ row }) => (row.original.description ? <bdi>{row.original.description}</bdi> : <span className="text-slate-500">None</span>),
  }),
  col.accessor("createdAt", {
    id: "created",
    header: "Reserved",
    enableSorting: false,
    meta: { className: "whitespace-nowrap" },
    cell: ({ row }) => <Timestamp at={row.original.createdAt} />,
  }),
];

/** The owner's and admin's form: a name (exact or wildcard) and a description; each refusal under its field. */
export function ReserveDomainForm({ tunnelDomain }: { tunnelDomain: string }) {
  const toast = useToast();
  // The server action itself, so the form works before hydration too (progressive enhancement).
  const [state, formAction] = useActionState<ReserveDomainFormState, FormData>(reserveDomainAction, { values: { domain: "", description: "" }, result: null });
  const reserved = state.result?.ok ? state.result.data : null;
  useEffect(() => {
    if (reserved) toast.success(`Reserved ${reserved.domain}.`);
  }, [reserved, toast]);
  const failure = state.result && !state.result.ok ? state.result : null;
  const errors = failure?.fieldErrors ?? {};
  // A new key after each answer: the fields show what the state holds (emptied after a success).
  const key = `${state.result?.ok ? (state.result.data.id ?? "") : "x"}:${state.values.domain}:${state.values.description}`;
  return (
    <form action={formAction} key={key} className="flex flex-col gap-4" noValidate data-testid="reserve-domain-form">
      {failure && !errors.domain && !errors.description && <Alert data-testid="reserve-domain-error">{failure.message}</Alert>}
      <div className="grid gap-4 md:grid-cols-2">
        <Field
          label="Domain"
          name="domain"
          defaultValue={state.values.domain}
          error={errors.domain}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="none"
          inputMode="url"
          maxLength={DOMAIN_NAME_MAX_BYTES + 1}
          placeholder="app.example.com"
          hint={
            <>
              An exact name, or <code>*.</code> and a name for every name under it. At most {DOMAIN_NAME_MAX_BYTES} characters, each part at most{" "}
              {DOMAIN_LABEL_MAX_BYTES}. Names under {tunnelDomain} can be reserved too.
            </>
          }
        />
        <Field
          label="Description (optional)"
          name="description"
          defaultValue={state.values.description}
          error={errors.description}
          autoComplete="off"
          hint={`What it is for, up to ${DESCRIPTION_MAX_BYTES} bytes.`}
        />
      </div>
      <div>
        <SubmitButton pendingLabel="Reserving…">Reserve domain</SubmitButton>
      </div>
    </form>
  );
}

/** The account's reserved domains; owners and admins may delete each after a confirmation. */
export function DomainsSection({ page, manage }: { page: ServerPage<ReservedDomainView>; manage: boolean }) {
  const [deleting, setDeleting] = useState<ReservedDomainView | null>(null);
  const columns = useMemo(() => {
    if (!manage) return BASE_COLUMNS;
    return [
      ...BASE_COLUMNS,
      col.display({
        id: "actions",
        header: "Actions",
        meta: { srOnlyHeader: true, className: "w-0 text-right whitespace-nowrap" },
        cell: ({ row }) => (
          <Button variant="secondary" size="sm" onClick={() => setDeleting(row.original)} aria-label={`Delete ${row.original.domain}`}>
            Delete
          </Button>
        ),
      }),
    ];
  }, [manage]);

  return (
    <div className="flex flex-col gap-4">
      <div>
        <h2 id="domains-heading" className="text-lg font-semibold">
          Reserved domains
        </h2>
        <p className="text-sm text-slate-600">Newest first. Every reservation and deletion is recorded in the activity log.</p>
      </div>
      <DataTable
        caption="Reserved domains"
        testId="domains-table"
        columns={columns}
        page={page}
        getRowId={rowId}
        rowLabel={rowLabel}
        sort={SORT}
        filters={NO_FILTERS}
        urlKeys={KEYS}
        urlDefaults={DEFAULTS}
        noun={NOUN}
        empty={
          manage ? (
            <p>No domains reserved yet. Reserve one above so this account&apos;s agents can bind its hostnames.</p>
          ) : (
            <p>No domains reserved yet. An owner or admin can reserve one; until then agents get random names.</p>
          )
        }
      />
      {manage && <DeleteDomainDialog domain={deleting} onClose={() => setDeleting(null)} />}
    </div>
  );
}

function DeleteDomainDialog({ domain, onClose }: { domain: ReservedDomainView | null; onClose: () => void }) {
  const toast = useToast();
  return (
    <ConfirmDialog
      open={domain !== null}
      onClose={onClose}
      testId="delete-domain-dialog"
      title={domain ? `Delete ${domain.domain}?` : "Delete domain?"}
      confirmLabel="Delete domain"
      pendingLabel="Deleting…"
      onConfirm={async () => {
        if (!domain) return { ok: true };
        const result = await callAction(() => deleteReservedDomainAction({ id: domain.id }));
        if (!result.ok) return { ok: false, message: result.message };
        toast.success(`Deleted ${result.data.domain}.`);
        return { ok: true };
      }}
    >
      <p>
        This account&apos;s agents can no longer bind new hostnames {domain?.domain.startsWith("*.") ? "under it" : "on it"}, and any other account
        may reserve it. Endpoints online now stay online until their sessions end.
      </p>
    </ConfirmDialog>
  );
}
