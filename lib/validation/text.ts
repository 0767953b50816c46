/**
 * Rules for text that people type, shared by every schema in lib/validation
 * (no zod here, so client components can import the messages cheaply).
 *
 * - Control characters (C0, DEL, C1, and the Unicode line/paragraph separators)
 *   are refused everywhere: a NUL byte cannot even be stored by PostgreSQL, and
 *   escape codes rewrite terminals that print our data. Multi-line fields allow
 *   tab, line feed and carriage return. A lone surrogate (half of a UTF-16 pair,
 *   which JSON can carry as `\ud800`) is refused with them: it is no character,
 *   and PostgreSQL refuses it in the events' JSON.
 * - Names are what people tell principals apart by, so a name is normalised
 *   before it is checked or compared: NFC, every kind of space made a plain
 *   space, runs of spaces collapsed (HTML shows them as one anyway), invisible
 *   characters removed, trimmed. Direction overrides (U+202E…) are refused: they
 *   make a name display as something it is not.
 */

const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029]/;
const CONTROL_GLOBAL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_GLOBAL = new RegExp(LONE_SURROGATE.source, "g");
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
// Zero-width and filler characters that render as nothing (or as blank) wherever they are.
const INVISIBLE = /[\u00AD\u034F\u115F\u1160\u17B4\u17B5\u180E\u200B\u2060-\u2064\u206A-\u206F\u3164\uFEFF\uFFA0]/g;
// Joiners carry meaning only between non-ASCII letters or emoji (Persian words,
// 👩‍💻); at an edge, or beside ASCII or a space, they are invisible padding.
const STRAY_JOINERS = /(?<=^|[\u0000-\u007F\s])[\u200C\u200D]+|[\u200C\u200D]+(?=$|[\u0000-\u007F\s])/g;
const EMAIL_LIKE = /\S[@\uFF20\uFE6B]\S/;

export const CONTROL_CHARACTER_MESSAGE = "Remove control characters (such as NUL, escape codes or line breaks): they can't be stored";
export const MULTILINE_CONTROL_CHARACTER_MESSAGE = "Remove control characters (such as NUL or escape codes): only tabs and line breaks are allowed";
export const BIDI_MESSAGE = "Remove text-direction control characters (such as U+202E): they make text display as something it is not";
export const INVISIBLE_ONLY_MESSAGE = "Enter a name with visible characters: zero-width and other invisible characters don't count";
export const EMAIL_LIKE_NAME_MESSAGE = "A bot's name can't be or look like an email address (people sign in with their email): remove the @";

export function hasControlCharacters(text: string, opts: { multiLine?: boolean } = {}): boolean {
  return (opts.multiLine ? CONTROL_EXCEPT_LINES : CONTROL).test(text) || LONE_SURROGATE.test(text);
}

export function hasBidiControls(text: string): boolean {
  return BIDI_CONTROLS.test(text);
}

/** Text safe to echo back in a message: control characters shown as U+FFFD. */
export function printable(text: string): string {
  return text.replace(CONTROL_GLOBAL, "\uFFFD").replace(LONE_SURROGATE_GLOBAL, "\uFFFD");
}

/** Why a single-line text is refused (control or direction characters), or null. */
export function singleLineProblem(text: string): string | null {
  if (hasControlCharacters(text)) return CONTROL_CHARACTER_MESSAGE;
  if (hasBidiControls(text)) return BIDI_MESSAGE;
  return null;
}

/** NFC, plain single spaces, no invisible characters, trimmed: the form a name is stored and compared in. */
export function normalizeName(text: string): string {
  return text.normalize("NFC").replace(/\p{Zs}/gu, " ").replace(INVISIBLE, "").replace(STRAY_JOINERS, "").replace(/ {2,}/g, " ").trim();
}

const byteLength = (s: string) => new TextEncoder().encode(s).length;

/**
 * Checks and normalises a name: refuses control and direction characters,
 * normalises (normalizeName), then checks emptiness, the byte limit and, for
 * bots, that it does not look like an email address.
 */
export function checkName(
  raw: string,
  opts: { maxBytes: number; emptyMessage: string; refuseEmailLike?: boolean },
): { ok: true; name: string } | { ok: false; message: string; problem: NameProblem } {
  if (!raw.trim()) return { ok: false, message: opts.emptyMessage, problem: "empty" };
  const problem = singleLineProblem(raw);
  if (problem) return { ok: false, message: problem, problem: "invalid" };
  const name = normalizeName(raw);
  if (!name) return { ok: false, message: INVISIBLE_ONLY_MESSAGE, problem: "empty" };
  if (byteLength(name) > opts.maxBytes) return { ok: false, message: `Use at most ${opts.maxBytes} bytes`, problem: "too_long" };
  if (opts.refuseEmailLike && EMAIL_LIKE.test(name)) return { ok: false, message: EMAIL_LIKE_NAME_MESSAGE, problem: "invalid" };
  return { ok: true, name };
}

/** Why checkName refused a name, for callers whose answer differs by kind (the API's codes for a bot's name). */
export type NameProblem = "empty" | "too_long" | "invalid";

/** The ids Botdesk issues (`bot_…`, `usr_…`, `cr_…`): anything else is not an id, and never reaches the database. */
export const ID_PATTERN = /^[a-z]{2,6}_[0-9A-Za-z]{1,40}$/;
