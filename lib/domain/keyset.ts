import { LIST_MAX_LIMIT } from "@/lib/validation/api";

/** One page of a newest-first list paged by id (ids sort by creation time, lib/ids.ts). */
export interface KeysetPage<T> {
  rows: T[];
  /** Whether older rows exist after the last one. */
  hasMore: boolean;
}


/** The largest page a keyset list returns (the API's limit). */
export const KEYSET_MAX_LIMIT = LIST_MAX_LIMIT;

export interface KeysetQuery {
  /** Only rows with ids before (older than) this one; null from the newest. */
  beforeId: string | null;
  /** 1..KEYSET_MAX_LIMIT. */
  limit: number;
}
