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
 * - Names are what people tell principals apart by, so a name is judged with
 *   Unicode's own data (the ICU tables of the JavaScript engine: Node's
 *   `process.versions.unicode`), never a hand-made list of invisible characters:
 *   unassigned code points (\p{Cn}, the noncharacters such as U+FFFF among them)
 *   and private-use ones (\p{Co}) are refused, since nobody can tell what they
 *   show; direction overrides (U+202E…) are refused, since they make a name
 *   display as something it is not. Then the name is normalised before it is
 *   checked or compared: NFC, every kind of space made a plain space, every
 *   Default_Ignorable_Code_Point removed (zero-width characters, tags, variation
 *   selectors, fillers: \p{Default_Ignorable_Code_Point}), runs of spaces
 *   collapsed (HTML shows them as one anyway), trimmed. Format characters that
 *   are not default-ignorable (\p{Cf}: U+FFF9 and its kin) are refused after
 *   that. Two characters render blank but are in none of these classes, so they
 *   are named here and read as spaces: U+2800 BRAILLE PATTERN BLANK and
 *   U+1D159 MUSICAL SYMBOL NULL NOTEHEAD.
 *   Which names count as the same (confusable look-alikes) is name-keys.ts.
 */

const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029]/;
const CONTROL_GLOBAL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_GLOBAL = new RegExp(LONE_SURROGATE.source, "g");
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
const UNASSIGNED_OR_PRIVATE = /[\p{Cn}\p{Co}]/u;
// Blank glyphs that Unicode's data classes miss (So, not Zs or default-ignorable): read as spaces.
const BLANK_SYMBOLS = /[\u2800\u{1D159}]/gu;
// Every default-ignorable character renders as nothing and is removed, except where it means
// something: a joiner (ZWJ, ZWNJ) between non-ASCII letters or emoji (Persian words, 👩‍💻) and a
// variation selector right after a non-ASCII character (❤️, Mongolian, CJK variants). "Visible" below
// is a character that is neither ASCII, a space, nor default-ignorable.
const OTHER_IGNORABLE = /(?![\u200C\u200D\p{Variation_Selector}])\p{Default_Ignorable_Code_Point}/gu;
const STRAY_SELECTORS = /(?<![^\u0000-\u007F\s\p{Default_Ignorable_Code_Point}])\p{Variation_Selector}+/gu;
const STRAY_JOINERS = /(?<![^\u0000-\u007F\s\p{Default_Ignorable_Code_Point}]|\p{Variation_Selector})[\u200C\u200D]+|[\u200C\u200D]+(?![^\u0000-\u007F\s\p{Default_Ignorable_Code_Point}])/gu;
const FORMAT = /\p{Cf}/u;
export const CONTROL_CHARACTER_MESSAGE = "Remove control characters (such as NUL, escape codes or line breaks): they can't be stored";
export const MULTILINE_CONTROL_CHARACTER_MESSAGE = "Remove control characters (such as NUL or escape codes): only tabs and line breaks are allowed";
export const BIDI_MESSAGE = "Remove text-direction control characters (such as U+202E): they make text display as something it is not";
export const INVISIBLE_ONLY_MESSAGE = "Enter a name with visible characters: zero-width and other invisible characters don't count";
export const EMAIL_LIKE_NAME_MESSAGE = "A bot's name can't contain @ (people sign in with their email, and a name must never pass for one): remove it";
export const UNASSIGNED_MESSAGE = "Remove unassigned or private-use characters (such as U+FFFF): nobody can tell what they show";
export const FORMAT_CHARACTER_MESSAGE = "Remove invisible formatting characters (such as U+FFF9): they make a name look like another";

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
  const spaced = text.normalize("NFC").replace(/\p{Zs}/gu, " ").replace(BLANK_SYMBOLS, " ");
  const visible = spaced.replace(OTHER_IGNORABLE, "").replace(STRAY_SELECTORS, "").replace(STRAY_JOINERS, "");
  return visible.replace(/ {2,}/g, " ").trim();
}

const byteLength = (s: string) => new TextEncoder().encode(s).length;

/**
 * Checks and normalises a name: refuses control, direction, unassigned and
 * private-use characters, normalises (normalizeName), then refuses format
 * characters left over, checks emptiness, the byte limit and, for bots, that it
 * has no @ (nor a compatibility form of one: ＠ ﹫), so no bot name can pass for
 * an email address.
 */
export function checkName(
  raw: string,
  opts: { maxBytes: number; emptyMessage: string; refuseEmailLike?: boolean },
): { ok: true; name: string } | { ok: false; message: string; problem: NameProblem } {
  if (!raw.trim()) return { ok: false, message: opts.emptyMessage, problem: "empty" };
  const problem = singleLineProblem(raw);
  if (problem) return { ok: false, message: problem, problem: "invalid" };
  if (UNASSIGNED_OR_PRIVATE.test(raw)) return { ok: false, message: UNASSIGNED_MESSAGE, problem: "invalid" };
  const name = normalizeName(raw);
  if (!name) return { ok: false, message: INVISIBLE_ONLY_MESSAGE, problem: "empty" };
  if (FORMAT.test(name.replace(/[\u200C\u200D]/g, ""))) return { ok: false, message: FORMAT_CHARACTER_MESSAGE, problem: "invalid" };
  if (byteLength(name) > opts.maxBytes) return { ok: false, message: `Use at most ${opts.maxBytes} bytes`, problem: "too_long" };
  if (opts.refuseEmailLike && hasAtSign(name)) return { ok: false, message: EMAIL_LIKE_NAME_MESSAGE, problem: "invalid" };
  return { ok: true, name };
}

/** Why checkName refused a name, for callers whose answer differs by kind (the API's codes for a bot's name). */
export type NameProblem = "empty" | "too_long" | "invalid";

/** Whether text has an @ or a character whose compatibility form (NFKC) is one (＠ U+FF20, ﹫ U+FE6B). */
export function hasAtSign(text: string): boolean {
  return text.normalize("NFKC").includes("@");
}

/** The ids Botdesk issues (`bot_…`, `usr_…`, `cr_…`): anything else is not an id, and never reaches the database. */
export const ID_PATTERN = /^[a-z]{2,6}_[0-9A-Za-z]{1,40}$/;
