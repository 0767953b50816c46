import { randomInt } from "node:crypto";

const ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/**
 * A password handed over once (a new person's initial password, a reset, the
 * embedded demo's people): 20 characters from an unambiguous alphabet, about
 * 115 bits. No imports beyond node: the launcher, which never loads the
 * password hasher, makes the demo's.
 */
export function oneTimePassword(): string {
  return Array.from({ length: 20 }, () => ONE_TIME_ALPHABET[randomInt(ONE_TIME_ALPHABET.length)]).join("");
}
