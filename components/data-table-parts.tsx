"use client";

import { FlexRender, type ColumnDef, type Header, type RowData } from "@tanstack/react-table";
import { isModifiedClick } from "./use-url-state";
import { dataTableColumnHelper, type DataTableFeatures } from "./data-table-features";

// The pieces of DataTable: sortable header cells, page links and the checkbox column.

export function HeaderCell<T extends RowData>({ header }: { header: Header<DataTableFeatures, T, unknown> }) {
  const column = header.column;
  const meta = column.columnDef.meta;
  const sorted = column.getIsSorted();
  const canSort = column.getCanSort();
  const content = header.isPlaceholder ? null : <FlexRender header={header} />;
  return (
    <th
      scope="col"
      aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
      className={meta?.className}
    >
      {meta?.srOnlyHeader ? (
        <span className="sr-only">{content}</span>
      ) : canSort ? (
        <button
          type="button"
          onClick={column.getToggleSortingHandler()}
          className="-mx-1 inline-flex items-center gap-1 rounded px-1 py-0.5 uppercase hover:text-slate-900"
        >
          {content}
          <SortIcon direction={sorted} />
        </button>
      ) : (
        content
      )}
    </th>
  );
}

function SortIcon({ direction }: { direction: false | "asc" | "desc" }) {
  return (
    <svg viewBox="0 0 12 12" aria-hidden="true" className={`size-3 ${direction ? "text-indigo-600" : "text-slate-400"}`} fill="currentColor">
      {direction !== "desc" && <path d="M6 2 9.5 6h-7z" opacity={direction === "asc" ? 1 : 0.6} />}
      {direction !== "asc" && <path d="M6 10 2.5 6h7z" opacity={direction === "desc" ? 1 : 0.6} />}
    </svg>
  );
}

export function PageLink({ label, href, enabled, onNavigate }: { label: string; href: string; enabled: boolean; onNavigate: () => void }) {
  const className = "inline-flex min-h-9 items-center rounded-md border border-slate-300 bg-white px-3 py-1 font-medium";
  if (!enabled) {
    return (
      <span aria-disabled="true" className={`${className} cursor-not-allowed text-slate-400`}>
        {label}
      </span>
    );
  }
  return (
    <a
      href={href}
      onClick={(e) => {
        if (isModifiedClick(e)) return;
        e.preventDefault();
        onNavigate();
      }}
      className={`${className} text-slate-800 hover:bg-slate-50`}
    >
      {label}
    </a>
  );
}

/** The checkbox column: one per row and select-all for the rows on this page. */
export function selectColumn<T extends RowData>(many: string, rowLabel: (row: T) => string): ColumnDef<DataTableFeatures, T, unknown> {
  return dataTableColumnHelper<T>().display({
    id: "select",
    meta: { className: "w-10 pr-0" },
    header: ({ table }) => (
      <Checkbox
        label={`Select all ${many} on this page`}
        checked={table.getIsAllPageRowsSelected()}
        indeterminate={table.getIsSomePageRowsSelected()}
        onChange={table.getToggleAllPageRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) => (
      <Checkbox
        label={`Select ${rowLabel(row.original)}`}
        checked={row.getIsSelected()}
        disabled={!row.getCanSelect()}
        onChange={row.getToggleSelectedHandler()}
      />
    ),
  });
}

function Checkbox({
  label,
  indeterminate = false,
  ...props
}: { label: string; indeterminate?: boolean } & Omit<React.InputHTMLAttributes<HTMLInputElement>, "type">) {
  return (
    <input
      type="checkbox"
      aria-label={label}
      ref={(el) => {
        if (el) el.indeterminate = indeterminate && !props.checked;
      }}
      className="block size-4 rounded border-slate-300 accent-indigo-600"
      {...props}
    />
  );
}
