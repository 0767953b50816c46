import { randomInt } from "node:crypto";

/** How many recovery codes a person gets at enrolment and at each regeneration. */
export const RECOVERY_CODE_COUNT = 10;

// Crockford's base32 (no i, l, o, u): 32 symbols, 5 bits each; 12 symbols = 60 bits.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const LENGTH = 12;

/** A new set of codes, shown as `xxxx-xxxx-xxxx`. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const raw = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
    return raw.replace(/(.{4})(?=.)/g, "$1-");
  });
}

/**
 * The code as stored (hashed): lower case, without spaces and dashes, with the
 * letters people confuse read as the digits they look like. Null when it cannot
 * be a recovery code (so a 6-digit TOTP code is never looked up as one).
 */
export function normalizeRecoveryCode(input: string): string | null {
  const s = input.toLowerCase().replace(/[\s-]+/g, "").replace(/o/g, "0").replace(/[il]/g, "1");
  if (s.length !== LENGTH) return null;
  for (const ch of s) if (!ALPHABET.includes(ch)) return null;
  return s;
}
