import { z } from "zod";
import { filterTextSchema, idSchema, pageSizeSchema } from "./common";
import { BOT_NAME_MAX_BYTES, BOT_TEXT_MAX_BYTES, BULK_MAX } from "./limits";
import { checkName, singleLineProblem, type NameProblem } from "./text";


/**
 * A bot's name, normalised (NFC, plain single spaces, no default-ignorable
 * characters, trimmed: see lib/validation/text.ts) BEFORE the database checks
 * uniqueness ignoring case and look-alike characters (name-keys.ts), so
 * "fz\u200b" is "fz". 1–255 bytes (UTF-8); no control, direction, unassigned
 * or formatting characters; no @, so it never passes for an email address.
 */
export const BOT_NAME_EMPTY_MESSAGE = "Enter a name: it can't be empty";
export const BOT_NAME_TOO_LONG_MESSAGE = `Use at most ${BOT_NAME_MAX_BYTES} bytes`;

export const botNameSchema = z.string({ error: "Enter a name" }).transform((raw, ctx) => {
  const checked = checkName(raw, { maxBytes: BOT_NAME_MAX_BYTES, emptyMessage: BOT_NAME_EMPTY_MESSAGE, refuseEmailLike: true });
  if (checked.ok) return checked.name;
  ctx.addIssue({ code: "custom", message: checked.message, params: { problem: checked.problem } });
  return z.NEVER;
});

/**
 * The code of a refused bot input (createBot, renameBot, updateBot): the name's
 * own when the first issue (the one a refusal names) is about the name being
 * empty or too long, which ngrok's API answers with codes of its own; else
 * `invalid_input`. Read from the issue's kind, never from its message.
 */
export function botInputCode(error: z.ZodError): "bot_name_empty" | "bot_name_too_long" | "invalid_input" {
  const issue = error.issues[0];
  if (!issue || issue.path[0] !== "name") return "invalid_input";
  // No name at all, or not a string.
  if (issue.code === "invalid_type") return "bot_name_empty";
  const problem = issue.code === "custom" ? (issue.params as { problem?: NameProblem } | undefined)?.problem : undefined;
  return problem === "empty" ? "bot_name_empty" : problem === "too_long" ? "bot_name_too_long" : "invalid_input";
}

export const botIdSchema = idSchema;

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** A bot's description or contact: one line (no control or direction characters), trimmed, at most 255 bytes; empty clears it. */
const botTextSchema = z
  .string()
  .trim()
  .superRefine((s, ctx) => {
    const problem = singleLineProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .refine((s) => bytes(s) <= BOT_TEXT_MAX_BYTES, `Use at most ${BOT_TEXT_MAX_BYTES} bytes`);
export const botDescriptionSchema = botTextSchema.meta({ description: "What the bot is for: one line, at most 255 bytes." });
export const botContactSchema = botTextSchema.meta({ description: "Who is responsible for it (the owning team or person): one line, at most 255 bytes." });

/**
 * `active: false` creates it deactivated (the API's `{name, active}`); the
 * dashboard's form sends the name only. The API's POST /bot_users is this
 * schema (lib/validation/api.ts): createBot validates it AFTER checking the
 * caller may manage bots, so a refused caller learns nothing about validation.
 */
export const createBotSchema = z.object({
  name: botNameSchema.meta({ description: "1–255 bytes, unique in the account ignoring case and look-alike characters, without an @." }),
  active: z.boolean().optional().meta({ description: "false creates it deactivated. Default true." }),
  description: botDescriptionSchema.optional(),
  contact: botContactSchema.optional(),
});

export const renameBotSchema = z.object({ id: botIdSchema, name: botNameSchema });

/** A bot's name, status, description and/or contact at once (the API's PATCH, whose body is this without `id`); absent fields stay as they are. */
export const updateBotSchema = z.object({
  id: botIdSchema,
  name: botNameSchema.optional(),
  active: z.boolean().optional().meta({ description: "false suspends every credential it owns; true restores them." }),
  description: botDescriptionSchema.optional(),
  contact: botContactSchema.optional(),
});

/** One or several bots, for single and bulk actions alike (all succeed or none do). */
export const botIdsSchema = z.object({
  ids: z
    .array(botIdSchema)
    .min(1, "Select at least one bot")
    .max(BULK_MAX, `Select at most ${BULK_MAX} bots at once`)
    .transform((ids) => [...new Set(ids)]),
});

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
  size: pageSizeSchema.default(25),
});
export type ListBotsQuery = z.infer<typeof listBotsQuerySchema>;
