"use client";

import { Name } from "@/components/name";
import { plural } from "@/components/format";
import { BulkBar } from "@/components/bulk-bar";
import Link from "next/link";
import { useMemo, useState } from "react";
import { DataTable, dataTableColumnHelper, type ServerPage } from "@/components/data-table";
import { NoMatches } from "@/components/no-matches";
import { usePageSelection } from "@/components/use-page-selection";
import { CredentialSummary, ExpiresText, LastUsedText } from "@/components/credentials/credential-cells";
import { CredentialFilters } from "@/components/credentials/credential-filters";
import type { OwnerOption } from "@/components/credentials/create-credential-dialog";
import type { RevealedSecret } from "@/components/credentials/form-state";
import { KIND_LABELS } from "@/components/credentials/labels";
import { CreateCredentialDialog, RevokeCredentialsDialog, RotateCredentialDialog, SecretOnceDialog } from "@/components/credentials/lazy-dialogs";
import { CredentialStatusBadge } from "@/components/credentials/status-badge";
import { Timestamp } from "@/components/timestamp";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import { useUrlState } from "@/components/use-url-state";
import type { CredentialView } from "@/lib/domain/credentials/credential-view";
import type { ListCredentialsQuery } from "@/lib/validation/credentials";
import { credentialActions } from "./credential-actions";

const KEYS = { sort: "sort", dir: "dir", page: "page", size: "size" } as const;
const DEFAULTS = { sort: "created", dir: "desc", size: 25 } as const;
// The list is always newest first: the sort state only describes that.
const SORT = { id: "created", desc: true };
const NOUN = { one: "credential", many: "credentials" };

const col = dataTableColumnHelper<CredentialView>();
const rowId = (c: CredentialView) => c.id;
const rowLabel = (c: CredentialView) => `${c.display}${c.description ? ` (${c.description})` : ""}`;

function baseColumns(rows: CredentialView[]) {
  return [
    col.display({
      id: "credential",
      header: "Credential",
      meta: { className: "min-w-48 max-w-60" },
      cell: ({ row }) => <CredentialSummary credential={row.original} all={rows} />,
    }),
    col.accessor("kind", {
      id: "kind",
      header: "Kind",
      enableSorting: false,
      meta: { className: "whitespace-nowrap" },
      cell: ({ row }) => KIND_LABELS[row.original.kind],
    }),
    col.accessor((c) => c.owner.name, {
      id: "owner",
      header: "Owner",
      enableSorting: false,
      meta: { className: "min-w-24 max-w-36 break-words" },
      cell: ({ row }) => {
        const o = row.original.owner;
        return (
          <span className="flex flex-col">
            {o.kind === "bot" ? (
              <Link href={`/users/bots/${o.id}`} className="font-medium text-indigo-700 hover:underline">
                <Name name={o.name} clamp />
              </Link>
            ) : (
              <span className="font-medium">
                <Name name={o.name} clamp />
              </span>
            )}
            <span className="text-xs text-slate-500">{o.kind === "bot" ? "Bot" : "Person"}</span>
          </span>
        );
      },
    }),
    col.accessor("status", {
      id: "status",
      header: "Status",
      enableSorting: false,
      meta: { className: "whitespace-nowrap" },
      cell: ({ row }) => <CredentialStatusBadge status={row.original.status} />,
    }),
    col.accessor("createdAt", {
      id: "created",
      header: "Created",
      enableSorting: false,
      meta: { className: "whitespace-nowrap" },
      cell: ({ row }) => <Timestamp at={row.original.createdAt} dateOnly />,
    }),
    col.accessor("expiresAt", {
      id: "expires",
      header: "Expires",
      enableSorting: false,
      meta: { className: "whitespace-nowrap" },
      cell: ({ row }) => <ExpiresText expiresAt={row.original.expiresAt} status={row.original.status} />,
    }),
    col.accessor("lastUsedAt", {
      id: "lastUsed",
      header: "Last used",
      enableSorting: false,
      meta: { className: "whitespace-nowrap" },
      cell: ({ row }) => <LastUsedText at={row.original.lastUsedAt} ip={row.original.lastUsedIp} />,
    }),
  ];
}

/** Every live credential of the account: URL-driven filters and pages, row and bulk actions. */
export function CredentialsTable({ page, query, owners }: { page: ServerPage<CredentialView>; query: ListCredentialsQuery; owners: OwnerOption[] }) {
  const toast = useToast();
  const { hrefWith } = useUrlState();
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<CredentialView | null>(null);
  const [revoking, setRevoking] = useState<CredentialView[] | null>(null);
  const [secret, setSecret] = useState<RevealedSecret | null>(null);
  const { selection, setSelection, selected, clearSelection } = usePageSelection(page.rows);

  const columns = useMemo(
    () => [
      ...baseColumns(page.rows),
      col.display({
        id: "actions",
        header: "Actions",
        meta: { srOnlyHeader: true, className: "w-0 pl-0 pr-3 text-right whitespace-nowrap" },
        cell: ({ row }) => (
          <div className="flex justify-end gap-1">
            {row.original.kind !== "ssh_key" && (
              <Button variant="ghost" size="sm" aria-label={`Rotate ${row.original.display}`} onClick={() => setRotating(row.original)}>
                Rotate
              </Button>
            )}
            <Button
              variant="dangerGhost"
              size="sm"
              aria-label={`Revoke ${row.original.display}`}
              onClick={() => setRevoking([row.original])}
            >
              Revoke
            </Button>
          </div>
        ),
      }),
    ],
    [page.rows],
  );
  const filters = useMemo(
    () => [
      { id: "owner", value: query.owner },
      { id: "kind", value: query.kind },
      { id: "status", value: query.status },
      { id: "lastUsed", value: query.used },
    ],
    [query.owner, query.kind, query.status, query.used],
  );
  const filtered = query.owner !== "" || query.kind !== "all" || query.status !== "all" || query.used !== "all";

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="all-credentials-heading" className="text-lg font-semibold">
            All credentials
          </h2>
          <p className="text-sm text-slate-600">Suspended: the owner is deactivated, so the credential is refused until it is reactivated.</p>
        </div>
        {(page.total > 0 || filtered) && <Button onClick={() => setCreating(true)}>Create credential</Button>}
      </div>

      <CredentialFilters query={query} />

      {selected.length > 0 && (
        <BulkBar count={selected.length} noun={{ one: "credential", many: "credentials" }} testId="credentials-bulk-bar" onClear={clearSelection}>
          <Button variant="danger" size="sm" onClick={() => setRevoking(selected)}>
            Revoke {plural(selected.length, "credential", "credentials")}
          </Button>
        </BulkBar>
      )}

      <DataTable
        caption="Credentials"
        testId="credentials-table"
        columns={columns}
        page={page}
        getRowId={rowId}
        rowLabel={rowLabel}
        sort={SORT}
        filters={filters}
        urlKeys={KEYS}
        urlDefaults={DEFAULTS}
        noun={NOUN}
        rowSelection={selection}
        onRowSelectionChange={setSelection}
        empty={
          filtered ? (
            <NoMatches noun="credentials" clearHref={hrefWith({ owner: null, kind: null, status: null, used: null, page: null })} filters="these filters" />
          ) : (
            <div className="flex flex-col items-center gap-3">
              <p>No credentials in this account yet. Give each bot its own authtoken, API key or SSH key.</p>
              <Button onClick={() => setCreating(true)}>Create credential</Button>
            </div>
          )
        }
      />

      <CreateCredentialDialog
        action={credentialActions.create}
        open={creating}
        onClose={() => setCreating(false)}
        owners={owners}
        onCreated={({ credential, token }) => {
          setCreating(false);
          if (token) {
            toast.success(<>{KIND_LABELS[credential.kind]} {credential.display} created for <Name name={credential.owner.name} />: copy it now.</>);
            setSecret({ token, credential });
          } else {
            toast.success(<>{KIND_LABELS[credential.kind]} {credential.display} added for <Name name={credential.owner.name} />.</>);
          }
        }}
      />
      <RotateCredentialDialog rotate={credentialActions.rotate} credential={rotating} onClose={() => setRotating(null)} onRotated={setSecret} />
      <RevokeCredentialsDialog revoke={credentialActions.revoke} credentials={revoking} onClose={() => setRevoking(null)} onRevoked={clearSelection} />
      <SecretOnceDialog secret={secret} onClose={() => setSecret(null)} />
    </div>
  );
}
