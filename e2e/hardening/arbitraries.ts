import fc from "fast-check";

/**
 * What the hardening fuzz sends (fast-check): malformed and wrongly typed values,
 * 1 MB values, NUL and control characters, lone surrogates, bidi and zero-width
 * characters, SQL and HTML injection. HARDENING_RUNS sets the runs per property
 * (default 40; npm run test:hardening, which npm test runs: 150).
 */

export const RUNS = Number(process.env.HARDENING_RUNS ?? 40);
/** Runs per property for the routes and actions that only need to be covered, not hammered: 8 by default, 30 in test:hardening. */
export const FEW_RUNS = Math.max(5, Math.round(RUNS / 5));

export const NASTY = [
  "", " ", "\u0000", "a\u0000b", "\u0001\u0007\u001b[31m", "\r\n\t", "\ud800", "x\udfffy", "\u202eevil\u202c", "\u200b\u200d\ufeff",
  "'; DROP TABLE principals; --", "' OR '1'='1", "\\x00", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "${7*7}{{7*7}}",
  "../../etc/passwd", "%00", "😀".repeat(100), "a".repeat(70_000), "b".repeat(1_000_000), "null", "[]", "{}",
];

export const stringsFrom = (list: string[]) => fc.oneof(
  fc.constantFrom(...list),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: fc.constantFrom("\u0000", "\u202e", "\u200b", "\ud800", "'", "<", ">", "\"", "\\", "a", "-", ";"), maxLength: 80 }),
);
export const nastyString = stringsFrom(NASTY);
/** For URLs (paths and query strings): the short ones, and one far past any header limit. */
export const urlString = stringsFrom(NASTY.filter((v) => v.length < 100_000));
/** Anything JSON can carry, nasty strings included, where a string is expected. */
export const wrongValueOf = (str: fc.Arbitrary<string>) =>
  fc.oneof(str, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(str, { maxLength: 3 }), fc.dictionary(str, str, { maxKeys: 3 }));
export const wrongValue = wrongValueOf(nastyString);

export type Body = { json: unknown } | { raw: string };
/** A JSON body with these fields (wrong values), any JSON at all, or text that is not JSON. */
export const body = (fields: string[]): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.record(Object.fromEntries(fields.map((f) => [f, wrongValue])), { requiredKeys: [] }).map((b) => ({ json: b })) },
    { weight: 1, arbitrary: fc.jsonValue().map((b) => ({ json: b })) },
    { weight: 1, arbitrary: fc.oneof(nastyString, fc.constantFrom("{", "{\"name\":", "[1,", "\u0000{}", "{\"a\":1}}")).map((raw) => ({ raw })) },
  );
export const bodyText = (b: Body): string => ("json" in b ? (JSON.stringify(b.json) ?? "") : b.raw);

/** A query string: these keys (or some of them) with nasty values, plus a stray key. */
export const query = (keys: string[]): fc.Arbitrary<string> =>
  fc.tuple(fc.record(Object.fromEntries(keys.map((k) => [k, urlString])), { requiredKeys: [] }), fc.option(urlString)).map(
    ([q, stray]) => new URLSearchParams([...Object.entries(q as Record<string, string>), ...(stray === null ? [] : [[stray, stray] as [string, string]])]).toString(),
  );
