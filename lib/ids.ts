import { randomBytes } from "node:crypto";

export const BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export const ID_PREFIXES = {
  account: "ac",
  person: "usr",
  bot: "bot",
  authtoken: "cr",
  apiKey: "ak",
  sshCredential: "sshcr",
  event: "ev",
  tunnelSession: "ts",
  endpoint: "ep",
  setupToken: "st",
  reservedDomain: "rd",
  eventDestination: "ed",
  eventSubscription: "esb",
  eventDelivery: "dlv",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** Base62 of a non-negative integer, left-padded to a fixed width (ids and token checksums). */
export function base62(n: bigint | number, width: number): string {
  let v = BigInt(n);
  let out = "";
  while (v > 0n) {
    out = BASE62_ALPHABET[Number(v % 62n)] + out;
    v /= 62n;
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
  return `${ID_PREFIXES[kind]}_${base62(BigInt("0x" + bytes.toString("hex")), 22)}`;
}

/**
 * When an id was issued (its leading 48 bits of milliseconds), or null for
 * anything newId did not make. Lets a keyset cursor whose row is gone still
 * say where the page starts.
 */
export function idTime(id: string): Date | null {
  const body = id.slice(id.indexOf("_") + 1);
  if (!/^[0-9A-Za-z]{22}$/.test(body)) return null;
  let v = 0n;
  for (const c of body) v = v * 62n + BigInt(BASE62_ALPHABET.indexOf(c));
  if (v >> 128n) return null;
  return new Date(Number(v >> 80n));
}
