"use client";

import { useCallback, useState } from "react";
import type { RowSelectionState } from "@tanstack/react-table";

/**
 * Row selection for a server-paged table. Selection is per page: when the rows
 * change (another page, a filter, a refresh after an action), ids no longer
 * shown are dropped, so a bulk action never touches rows the admin can't see.
 */
export function usePageSelection<Row extends { id: string }>(rows: Row[]) {
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [shownRows, setShownRows] = useState(rows);
  if (rows !== shownRows) {
    setShownRows(rows);
    const shown = new Set(rows.map((r) => r.id));
    setSelection((s) => Object.fromEntries(Object.entries(s).filter(([id, on]) => on && shown.has(id))));
  }
  const selected = rows.filter((r) => selection[r.id]);
  const clearSelection = useCallback(() => setSelection({}), []);
  return { selection, setSelection, selected, clearSelection };
}
