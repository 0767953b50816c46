import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { crc32 } from "node:zlib";
import { BASE62_ALPHABET, base62, ID_PREFIXES } from "@/lib/ids";

/**
 * Botdesk's secret format, after GitHub's:
 *
 *   bdat_<credential id body, 22>_<secret, 32>_<checksum, 6>     authtoken (`cr_…`)
 *   bdak_<credential id body, 22>_<secret, 32>_<checksum, 6>     API key   (`ak_…`)
 *
 * - the type prefix lets secret scanners find a leaked token;
 * - the credential's id makes lookup a primary-key read, never a scan;
 * - 32 base62 characters from a CSPRNG are ~190 bits of entropy;
 * - the CRC32 checksum rejects a mistyped token without touching the database;
 * - `_` separators keep the whole token selectable with a double-click.
 */
export type SecretKind = "authtoken" | "api_key";

const TOKEN_PREFIX: Record<SecretKind, string> = { authtoken: "bdat", api_key: "bdak" };
const ID_PREFIX: Record<SecretKind, string> = { authtoken: ID_PREFIXES.authtoken, api_key: ID_PREFIXES.apiKey };
const SECRET_LENGTH = 32;
const TOKEN_PATTERN = /^(bdat|bdak)_([0-9A-Za-z]{22})_([0-9A-Za-z]{32})_([0-9A-Za-z]{6})$/;

function randomBase62(length: number): string {
  // Rejection sampling: bytes ≥ 248 would bias the first 8 characters.
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62_ALPHABET[byte % 62];
    }
  }
  return out;
}

/** CRC32 (zlib's) of the token's UTF-8 text, as 6 base62 characters. */
function checksumOf(head: string): string {
  return base62(crc32(Buffer.from(head, "utf8")), 6);
}

/** A new secret for a credential id; returns the token and what to store. */
export function issueSecret(kind: SecretKind, credentialId: string): { token: string; hash: string; hint: string } {
  const [prefix, body] = credentialId.split("_");
  if (prefix !== ID_PREFIX[kind] || !body || body.length !== 22) throw new Error(`not a ${kind} id: ${credentialId}`);
  const head = `${TOKEN_PREFIX[kind]}_${body}_${randomBase62(SECRET_LENGTH)}`;
  const token = `${head}_${checksumOf(head)}`;
  return { token, hash: hashSecret(token), hint: token.slice(-4) };
}

export type ParsedToken = { kind: SecretKind; credentialId: string };

/** The kind and credential id of a well-formed token with a valid checksum; null for anything else. */
export function parseToken(token: string): ParsedToken | null {
  const m = TOKEN_PATTERN.exec(token.trim());
  if (!m) return null;
  const [, prefix, body, secret, checksum] = m;
  if (checksumOf(`${prefix}_${body}_${secret}`) !== checksum) return null;
  const kind: SecretKind = prefix === "bdat" ? "authtoken" : "api_key";
  return { kind, credentialId: `${ID_PREFIX[kind]}_${body}` };
}

/** SHA-256: right for 190-bit random secrets (a slow hash protects low-entropy passwords, not these). */
export function hashSecret(token: string): string {
  return createHash("sha256").update(token.trim(), "utf8").digest("hex");
}

// Compared against when the id is unknown, so both paths do the same work.
const DUMMY_HASH = hashSecret("bdat_0000000000000000000000_00000000000000000000000000000000_000000");

/** Constant-time comparison of a presented token with a stored hash (or with a dummy when there is none). */
export function secretMatches(token: string, storedHash: string | null | undefined): boolean {
  const presented = Buffer.from(hashSecret(token), "hex");
  const stored = Buffer.from(storedHash ?? DUMMY_HASH, "hex");
  const equal = stored.length === presented.length && timingSafeEqual(presented, stored);
  return equal && storedHash != null;
}

/** How a stored secret is shown after creation: its kind prefix and last four characters. */
export function maskedSecret(kind: SecretKind, hint: string | null): string {
  return `${TOKEN_PREFIX[kind]}_…${hint ?? "????"}`;
}
