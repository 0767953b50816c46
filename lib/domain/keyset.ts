import { Prisma } from "@/lib/db/generated/client";
import { idTime } from "@/lib/ids";
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

/**
 * The condition "after the cursor row in newest-first order", on
 * (created_at, id) of `alias`. The cursor's created_at is read from `table`;
 * when that row is gone (a credential deleted with its bot), the time in its
 * id stands in, so the next page still starts where the last one ended.
 */
export function keysetAfter(alias: "p" | "c", table: "principals" | "credentials", beforeId: string): Prisma.Sql {
  const fallback = idTime(beforeId) ?? new Date(0);
  return Prisma.sql`(${Prisma.raw(alias)}.created_at, ${Prisma.raw(alias)}.id) < (
    COALESCE((SELECT created_at FROM ${Prisma.raw(table)} WHERE id = ${beforeId}), ${fallback}::timestamptz), ${beforeId}::text)`;
}
