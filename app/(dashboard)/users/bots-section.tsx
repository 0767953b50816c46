"use client";

import { Name } from "@/components/name";
import Link from "next/link";
import { useMemo, useState } from "react";
import { DataTable, dataTableColumnHelper, type ServerPage } from "@/components/data-table";
import { NoMatches } from "@/components/no-matches";
import { usePageSelection } from "@/components/use-page-selection";
import { TableFilters } from "@/components/table-filters";
import { plural } from "@/components/format";
import { BulkBar } from "@/components/bulk-bar";
import { StatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { useUrlState } from "@/components/use-url-state";
import type { BotRow } from "@/lib/domain/bots/types";
import type { ListBotsQuery } from "@/lib/validation/bots";
import type { BotRef } from "./bot-dialogs";
import { CreateBotDialog, DeleteBotsDialog, RenameBotDialog, SetBotsActiveDialog } from "./lazy-dialogs";
import { ToggleBotActiveButton } from "./row-controls";
import { Timestamp } from "@/components/timestamp";
import { formatBytes, formatCount } from "@/components/usage/format-usage";

const KEYS = { q: "bq", status: "bstatus", sort: "bsort", dir: "bdir", page: "bpage", size: "bsize" } as const;
const DEFAULTS = { sort: "created", dir: "desc", size: 25 } as const;
const NOUN = { one: "bot", many: "bots" };
const STATUS_OPTIONS = [
  { value: "all", label: "All" },
  { value: "active", label: "Active" },
  { value: "deactivated", label: "Deactivated" },
];

const col = dataTableColumnHelper<BotRow>();
const botRowId = (bot: BotRow) => bot.id;
const botLabel = (bot: BotRow) => bot.name;

const BASE_COLUMNS = [
  col.accessor("name", {
    id: "name",
    header: "Name",
    meta: { className: "min-w-44 max-w-sm break-words" },
    cell: ({ row }) => (
      <Link href={`/users/bots/${row.original.id}`} className="font-medium text-indigo-700 hover:underline">
        <Name name={row.original.name} clamp />
      </Link>
    ),
  }),
  col.accessor("active", {
    id: "status",
    header: "Status",
    cell: ({ row }) => <StatusBadge active={row.original.active} />,
  }),
  col.accessor("credentialCount", {
    id: "credentials",
    header: "Credentials",
    enableSorting: false,
    meta: { className: "whitespace-nowrap tabular-nums" },
    cell: ({ row }) => (row.original.credentialCount === 0 ? <span className="text-slate-500">None</span> : row.original.credentialCount),
  }),
  col.accessor("usage", {
    id: "usage",
    header: "Usage this month",
    enableSorting: false,
    // The facts may wrap; the row's actions never do, so they stay in the table's box at 1280 px.
    meta: { className: "min-w-28 tabular-nums" },
    cell: ({ row }) => {
      const u = row.original.usage;
      if (u.apiRequests === 0 && u.sessions === 0 && u.bandwidth === 0) return <span className="text-slate-500">None</span>;
      return (
        <span title={`${u.apiRequests.toLocaleString("en")} API requests · ${u.sessions.toLocaleString("en")} agent sessions · ${formatBytes(u.bandwidth)} in + out`}>
          {/* Wraps between the parts only, never inside one ("0 B"). */}
          <span className="whitespace-nowrap">{formatCount(u.apiRequests)} API</span> · <span className="whitespace-nowrap">{formatCount(u.sessions)} sess.</span> ·{" "}
          <span className="whitespace-nowrap">{formatBytes(u.bandwidth)}</span>
        </span>
      );
    },
  }),
  col.accessor("lastActivityAt", {
    id: "lastActivity",
    header: "Last activity",
    meta: { className: "min-w-28" },
    cell: ({ row }) => {
      const at = row.original.lastActivityAt;
      return at ? <Timestamp at={at} /> : <span className="text-slate-500">Never</span>;
    },
  }),
  col.accessor("createdAt", {
    id: "created",
    header: "Created",
    meta: { className: "whitespace-nowrap" },
    cell: ({ row }) => <Timestamp at={row.original.createdAt} dateOnly />,
  }),
];

/** The bot users: a server-driven table, and for owners and admins, every action on bots. */
export function BotsSection({ page, query, manage }: { page: ServerPage<BotRow>; query: ListBotsQuery; manage: boolean }) {
  const { hrefWith } = useUrlState();
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<BotRef | null>(null);
  const [deleting, setDeleting] = useState<BotRef[] | null>(null);
  const [settingActive, setSettingActive] = useState<{ bots: BotRef[]; active: boolean } | null>(null);
  const { selection, setSelection, selected, clearSelection } = usePageSelection(page.rows);

  const columns = useMemo(() => {
    if (!manage) return BASE_COLUMNS;
    return [
      ...BASE_COLUMNS,
      col.display({
        id: "actions",
        header: "Actions",
        meta: { srOnlyHeader: true, className: "w-0 text-right whitespace-nowrap" },
        cell: ({ row }) => <BotRowActions bot={row.original} onRename={setRenaming} onDelete={(b) => setDeleting([b])} />,
      }),
    ];
  }, [manage]);

  const filtered = query.q !== "" || query.status !== "all";
  const filters = useMemo(
    () => [
      { id: "name", value: query.q },
      { id: "status", value: query.status },
    ],
    [query.q, query.status],
  );

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="bots-heading" className="text-lg font-semibold">
            Bot users
          </h2>
          <p className="text-sm text-slate-600">Bots own credentials for your integrations. They never sign in and never use a seat.</p>
        </div>
        {manage && <Button onClick={() => setCreating(true)}>Create bot</Button>}
      </div>

      <TableFilters
        keys={KEYS}
        q={query.q}
        status={query.status}
        statusOptions={STATUS_OPTIONS}
        searchLabel="Search bots"
        placeholder="Name contains…"
        testId="bots-filters"
      />

      {manage && selected.length > 0 && (
        <BulkBar count={selected.length} noun={NOUN} testId="bots-bulk-bar" onClear={clearSelection}>
          {/* Named with their count, so they never read like a row's own "Deactivate" or "Delete". */}
          <Button variant="secondary" size="sm" onClick={() => setSettingActive({ bots: selected, active: false })}>
            Deactivate {plural(selected.length, "bot", "bots")}
          </Button>
          <Button variant="secondary" size="sm" onClick={() => setSettingActive({ bots: selected, active: true })}>
            Reactivate {plural(selected.length, "bot", "bots")}
          </Button>
          <Button variant="danger" size="sm" onClick={() => setDeleting(selected)}>
            Delete {plural(selected.length, "bot", "bots")}
          </Button>
        </BulkBar>
      )}

      <DataTable
        caption="Bot users"
        testId="bots-table"
        columns={columns}
        page={page}
        getRowId={botRowId}
        rowLabel={botLabel}
        sort={{ id: query.sort, desc: query.dir === "desc" }}
        filters={filters}
        urlKeys={KEYS}
        urlDefaults={DEFAULTS}
        noun={NOUN}
        rowSelection={manage ? selection : undefined}
        onRowSelectionChange={manage ? setSelection : undefined}
        empty={
          filtered ? (
            <NoMatches noun="bots" clearHref={hrefWith({ [KEYS.q]: null, [KEYS.status]: null, [KEYS.page]: null })} />
          ) : manage ? (
            <div className="flex flex-col items-center gap-3">
              <p>No bots yet. Create one to give an integration its own credentials.</p>
              <Button onClick={() => setCreating(true)}>Create bot</Button>
            </div>
          ) : (
            <p>No bots yet. An owner or admin can create one to give an integration its own credentials.</p>
          )
        }
      />

      {manage && (
        <>
          <CreateBotDialog open={creating} onClose={() => setCreating(false)} />
          <RenameBotDialog bot={renaming} onClose={() => setRenaming(null)} />
          <DeleteBotsDialog bots={deleting} onClose={() => setDeleting(null)} onDeleted={clearSelection} />
          <SetBotsActiveDialog request={settingActive} onClose={() => setSettingActive(null)} onDone={clearSelection} />
        </>
      )}
    </div>
  );
}

function BotRowActions({ bot, onRename, onDelete }: { bot: BotRow; onRename: (b: BotRef) => void; onDelete: (b: BotRef) => void }) {
  return (
    <div className="-mr-1 flex justify-end">
      <Button variant="ghost" size="sm" aria-label={`Rename ${bot.name}`} onClick={() => onRename(bot)}>
        Rename
      </Button>
      <ToggleBotActiveButton bot={bot} compact />
      <Button variant="dangerGhost" size="sm" aria-label={`Delete ${bot.name}`} onClick={() => onDelete(bot)}>
        Delete
      </Button>
    </div>
  );
}
