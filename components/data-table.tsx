"use client";

import { useMemo } from "react";
import {
  FlexRender,
  functionalUpdate,
  useTable,
  type ColumnDef,
  type ColumnFiltersState,
  type PaginationState,
  type RowData,
  type RowSelectionState,
  type SortingState,
} from "@tanstack/react-table";
import { PAGE_SIZES } from "@/lib/validation/limits";
import { dataTableFeatures, type DataTableFeatures } from "./data-table-features";
import { HeaderCell, PageLink, selectColumn } from "./data-table-parts";
import { useUrlState } from "./use-url-state";

export { dataTableColumnHelper, dataTableFeatures, type DataTableColumnMeta, type DataTableFeatures } from "./data-table-features";

/** Where a table keeps its state in the URL, and the values that are left out of it. */
export interface TableUrlKeys {
  sort: string;
  dir: string;
  page: string;
  size: string;
}
export interface TableUrlDefaults {
  sort: string;
  dir: "asc" | "desc";
  size: number;
}

/** One page of rows as the server returned it. */
export interface ServerPage<T> {
  rows: T[];
  total: number;
  page: number;
  size: number;
  pageCount: number;
}

const NO_SELECTION: RowSelectionState = {};

type CardRole = "select" | "title" | "actions" | "fact";
const cardRole = (id: string, titleColumn: string | undefined): CardRole =>
  id === "select" ? "select" : id === "actions" ? "actions" : id === titleColumn ? "title" : "fact";

/**
 * A table whose sorting, filtering and pagination run on the server, with the
 * state in the URL: the table's state is derived from the URL, and changing it
 * (a sort header, a page link) navigates to a new URL, which renders the new
 * page. Optional row checkboxes for bulk actions (per page).
 */
export function DataTable<T extends RowData>({
  caption,
  columns,
  page,
  getRowId,
  rowLabel,
  sort,
  filters,
  urlKeys,
  urlDefaults,
  noun,
  rowSelection,
  onRowSelectionChange,
  empty,
  testId,
}: {
  caption: string;
  columns: ColumnDef<DataTableFeatures, T, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- a column list mixes value types
  page: ServerPage<T>;
  getRowId: (row: T) => string;
  /** How a row is named to screen readers ("Select ci-deployer"). */
  rowLabel: (row: T) => string;
  sort: { id: string; desc: boolean };
  filters: ColumnFiltersState;
  urlKeys: TableUrlKeys;
  urlDefaults: TableUrlDefaults;
  noun: { one: string; many: string };
  rowSelection?: RowSelectionState;
  onRowSelectionChange?: (next: RowSelectionState) => void;
  empty: React.ReactNode;
  testId: string;
}) {
  const { hrefWith, navigate, pending } = useUrlState();
  const selectable = Boolean(onRowSelectionChange);

  const sorting = useMemo<SortingState>(() => [{ id: sort.id, desc: sort.desc }], [sort.id, sort.desc]);
  const pagination = useMemo<PaginationState>(() => ({ pageIndex: page.page - 1, pageSize: page.size }), [page.page, page.size]);
  const allColumns = useMemo(() => (selectable ? [selectColumn<T>(noun.many, rowLabel), ...columns] : columns), [selectable, columns, noun.many, rowLabel]);

  const sortParams = (next: { id: string; desc: boolean }) => {
    const dir = next.desc ? "desc" : "asc";
    const isDefault = next.id === urlDefaults.sort && dir === urlDefaults.dir;
    return { [urlKeys.sort]: isDefault ? null : next.id, [urlKeys.dir]: isDefault ? null : dir, [urlKeys.page]: null };
  };
  const pageParams = (next: PaginationState) => {
    const sizeChanged = next.pageSize !== pagination.pageSize;
    const index = sizeChanged ? 0 : next.pageIndex;
    return {
      [urlKeys.page]: index === 0 ? null : index + 1,
      [urlKeys.size]: next.pageSize === urlDefaults.size ? null : next.pageSize,
    };
  };

  const table = useTable({
    features: dataTableFeatures,
    columns: allColumns,
    data: page.rows,
    getRowId,
    state: { sorting, pagination, columnFilters: filters, rowSelection: rowSelection ?? NO_SELECTION },
    manualSorting: true,
    manualFiltering: true,
    manualPagination: true,
    rowCount: page.total,
    autoResetAll: false,
    enableMultiSort: false,
    enableSortingRemoval: false,
    enableRowSelection: selectable,
    onSortingChange: (updater) => {
      const next = functionalUpdate(updater, sorting)[0];
      if (next) navigate(sortParams(next));
    },
    onPaginationChange: (updater) => navigate(pageParams(functionalUpdate(updater, pagination))),
    onRowSelectionChange: (updater) => onRowSelectionChange?.(functionalUpdate(updater, rowSelection ?? NO_SELECTION)),
  });

  if (page.rows.length === 0 && page.total === 0) {
    return (
      <div data-testid={`${testId}-empty`} className="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-600">
        {empty}
      </div>
    );
  }

  const titleColumn = allColumns.find((c) => c.id !== "select")?.id;
  const first = page.total === 0 ? 0 : (page.page - 1) * page.size + 1;
  const last = Math.min(page.total, (page.page - 1) * page.size + page.rows.length);

  return (
    <div className="flex flex-col gap-3">
      {/* relative: keeps visually hidden header text inside the scroll box, so it can't widen the page. */}
      {/* data-focus-return: focus comes back here when a row's dialog deleted the row (see components/ui/dialog.tsx). */}
      <div
        data-focus-return={testId}
        tabIndex={-1}
        aria-label={caption}
        role="region"
        data-testid={`${testId}-region`}
        className="relative -mx-5 overflow-x-auto border-y border-slate-200 focus:outline-2 focus:outline-indigo-500 sm:mx-0 sm:rounded-lg sm:border-x"
      >
        {/* Styled by app/globals.css's `.data-table` rules, not classes on every cell. Below the sm
            breakpoint each row is a card: the first column (the name) with the row's checkbox, the
            other facts labelled, and the row's actions, all visible together (the cell's dt-* role). */}
        <table data-testid={testId} aria-busy={pending || undefined} className={pending ? "data-table opacity-60" : "data-table"}>
          <caption className="sr-only">{caption}</caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => (
                  <HeaderCell key={header.id} header={header} />
                ))}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} data-row-id={row.id} aria-selected={selectable ? row.getIsSelected() : undefined}>
                {row.getAllCells().map((cell) => {
                  const role = cardRole(cell.column.id, titleColumn);
                  const header = cell.column.columnDef.header;
                  return (
                    <td
                      key={cell.id}
                      data-label={role === "fact" && typeof header === "string" ? header : undefined}
                      className={`dt-${role} ${cell.column.columnDef.meta?.className ?? "whitespace-nowrap"}`}
                    >
                      <FlexRender cell={cell} />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {page.rows.length === 0 ? (
        <p className="text-sm text-slate-600">
          There is nothing on page {page.page}.{" "}
          <a href={hrefWith({ [urlKeys.page]: null })} className="font-medium text-indigo-700 underline">
            Go to the first page
          </a>
        </p>
      ) : null}

      <nav aria-label={`${caption} pages`} className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 text-sm text-slate-600">
        <p data-testid={`${testId}-range`}>
          {first}–{last} of {page.total} {page.total === 1 ? noun.one : noun.many}
        </p>
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
          <label className="flex items-center gap-2">
            <span>Rows per page</span>
            <select
              value={page.size}
              onChange={(e) => table.setPageSize(Number(e.target.value))}
              className="min-h-9 rounded-md border border-slate-300 bg-white px-2 py-1"
            >
              {PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <span aria-live="polite">
            Page {page.page} of {page.pageCount}
          </span>
          <div className="flex gap-2">
            <PageLink
              label="Previous"
              href={hrefWith(pageParams({ ...pagination, pageIndex: pagination.pageIndex - 1 }))}
              enabled={table.getCanPreviousPage()}
              onNavigate={() => table.previousPage()}
            />
            <PageLink
              label="Next"
              href={hrefWith(pageParams({ ...pagination, pageIndex: pagination.pageIndex + 1 }))}
              enabled={table.getCanNextPage()}
              onNavigate={() => table.nextPage()}
            />
          </div>
        </div>
      </nav>
    </div>
  );
}
