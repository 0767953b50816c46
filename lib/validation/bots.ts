import { z } from "zod";
import { checkName, hasControlCharacters, ID_PATTERN } from "./text";

export const BOT_NAME_MAX_BYTES = 255;
export const BULK_MAX = 100;
export const PAGE_SIZES = [10, 25, 50, 100] as const;

/**
 * A bot's name, normalised (NFC, plain single spaces, no invisible characters,
 * trimmed: see lib/validation/text.ts) BEFORE the database checks uniqueness
 * ignoring case, so "fz\u200b" is "fz". 1–255 bytes (UTF-8); no control or
 * direction characters; never an email address or anything that looks like one.
 */
export const botNameSchema = z.string({ error: "Enter a name" }).transform((raw, ctx) => {
  const checked = checkName(raw, { maxBytes: BOT_NAME_MAX_BYTES, emptyMessage: "Enter a name: it can't be empty", refuseEmailLike: true });
  if (checked.ok) return checked.name;
  ctx.addIssue({ code: "custom", message: checked.message });
  return z.NEVER;
});

/** An id as Botdesk issues them; a NUL or other junk is refused here, never sent to the database. */
export const idSchema = z.string().max(64).regex(ID_PATTERN, "Not a valid id");

export const botIdSchema = idSchema;

/** Text typed into a list filter: control characters make the filter fall back to empty, like any unparseable URL value. */
export const filterTextSchema = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !hasControlCharacters(s))
    .catch("")
    .default("");

export const createBotSchema = z.object({ name: botNameSchema });
export type CreateBotInput = z.infer<typeof createBotSchema>;

export const renameBotSchema = z.object({ id: botIdSchema, name: botNameSchema });
export type RenameBotInput = z.infer<typeof renameBotSchema>;

/** One or several bots, for single and bulk actions alike (all succeed or none do). */
export const botIdsSchema = z.object({
  ids: z
    .array(botIdSchema)
    .min(1, "Select at least one bot")
    .max(BULK_MAX, `Select at most ${BULK_MAX} bots at once`)
    .transform((ids) => [...new Set(ids)]),
});
export type BotIdsInput = z.infer<typeof botIdsSchema>;

const pageSize = z.coerce
  .number()
  .int()
  .refine((n) => (PAGE_SIZES as readonly number[]).includes(n))
  .catch(25);

/**
 * The bot table's state as it appears in the URL (`?bq=&bstatus=&bsort=&bdir=&bpage=&bsize=`).
 * Anything unparseable falls back to its default, so a mangled link still shows a page.
 */
export const listBotsQuerySchema = z.object({
  q: filterTextSchema(255),
  status: z.enum(["all", "active", "deactivated"]).catch("all").default("all"),
  sort: z.enum(["name", "status", "lastActivity", "created"]).catch("created").default("created"),
  dir: z.enum(["asc", "desc"]).catch("desc").default("desc"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  size: pageSize.default(25),
});
export type ListBotsQuery = z.infer<typeof listBotsQuerySchema>;

/** The people table's URL state (`?pq=&pstatus=&psort=&pdir=&ppage=&psize=`). */
export const listPeopleQuerySchema = z.object({
  q: filterTextSchema(320),
  status: z.enum(["all", "active", "deactivated"]).catch("all").default("all"),
  sort: z.enum(["name", "email", "role", "status", "lastSignIn"]).catch("name").default("name"),
  dir: z.enum(["asc", "desc"]).catch("asc").default("asc"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  size: pageSize.default(25),
});
export type ListPeopleQuery = z.infer<typeof listPeopleQuerySchema>;

/** Reads a table's state from URL search params under a prefix (`b` for bots, `p` for people). */
export function queryFromSearchParams(params: Record<string, string | string[] | undefined>, prefix: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const key of ["q", "status", "sort", "dir", "page", "size"]) {
    const v = params[`${prefix}${key}`];
    out[key] = Array.isArray(v) ? v[0] : v;
  }
  return out;
}
