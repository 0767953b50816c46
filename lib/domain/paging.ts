/** One page of a server-paged list. */
export interface Page<T> {
  rows: T[];
  total: number;
  page: number;
  size: number;
  pageCount: number;
}

/** Clamps a requested page to the pages that exist (a stale link past the end shows the last page). */
export function pageWindow(total: number, requestedPage: number, size: number): { page: number; pageCount: number; skip: number } {
  const pageCount = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, requestedPage), pageCount);
  return { page, pageCount, skip: (page - 1) * size };
}
