import { z } from "zod";
import { PAGE_SIZES } from "./limits";
import { hasControlCharacters, ID_PATTERN } from "./text";

/** An id as Botdesk issues them; a NUL or other junk is refused here, never sent to the database. */
export const idSchema = z.string().max(64).regex(ID_PATTERN, "Not a valid id");

/** Text typed into a list filter: control characters make the filter fall back to empty, like any unparseable URL value. */
export const filterTextSchema = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !hasControlCharacters(s))
    .catch("")
    .default("");

/** A table's page size from the URL: one of PAGE_SIZES, else 25. */
export const pageSizeSchema = z.coerce
  .number()
  .int()
  .refine((n) => (PAGE_SIZES as readonly number[]).includes(n))
  .catch(25);

/** Reads a table's state from URL search params under a prefix (`b` for bots, `p` for people). */
export function queryFromSearchParams(params: Record<string, string | string[] | undefined>, prefix: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of ["q", "status", "sort", "dir", "page", "size"]) {
    const v = params[`${prefix}${key}`];
    out[key] = Array.isArray(v) ? v[0] : v;
  }
  return out;
}
