import {
  columnFilteringFeature,
  createColumnHelper,
  metaHelper,
  rowPaginationFeature,
  rowSelectionFeature,
  rowSortingFeature,
  tableFeatures,
  type RowData,
} from "@tanstack/react-table";

export interface DataTableColumnMeta {
  /** Classes for this column's <th> and <td>s (widths, alignment); cells without any do not wrap. */
  className?: string;
  /** A header read by screen readers only (checkbox and action columns). */
  srOnlyHeader?: boolean;
}

/**
 * Every server-driven table uses the same features: sorting, filtering and
 * pagination state (processed by the server: all `manual*`) and row selection.
 */
export const dataTableFeatures = tableFeatures({
  columnFilteringFeature,
  rowSortingFeature,
  rowPaginationFeature,
  rowSelectionFeature,
  columnMeta: metaHelper<DataTableColumnMeta>(),
});
export type DataTableFeatures = typeof dataTableFeatures;

export function dataTableColumnHelper<T extends RowData>() {
  return createColumnHelper<DataTableFeatures, T>();
}
