import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export const ID_PREFIXES = {
  account: "ac",
  person: "usr",
  bot: "bot",
  authtoken: "cr",
  apiKey: "ak",
  sshCredential: "sshcr",
  event: "ev",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** Base62 of a big-endian byte string, left-padded to a fixed width. */
function base62(bytes: Buffer, width: number): string {
  let n = BigInt("0x" + bytes.toString("hex"));
  let out = "";
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(width, "0");
}

/**
 * A prefixed random id such as `bot_0cR8…`: 48 bits of milliseconds then 80
 * random bits, so ids sort by creation time (newest-first lists and `before_id`
 * paging work on the id alone) and cannot be guessed.
 */
export function newId(kind: IdKind, now: number = Date.now()): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(now, 0, 6);
  randomBytes(10).copy(bytes, 6);
  return `${ID_PREFIXES[kind]}_${base62(bytes, 22)}`;
}
