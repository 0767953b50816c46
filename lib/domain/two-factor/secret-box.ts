import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { readEnv } from "@/lib/env";

/**
 * Keys for second-factor secrets, derived from AUTH_SECRET with HKDF-SHA-256
 * (one key per purpose, so a key for one use never serves another). Nothing of
 * them is stored: a database dump alone neither decrypts a TOTP secret nor
 * lets anyone test guesses of a recovery code. Changing AUTH_SECRET therefore
 * makes every enrolled second factor unusable (docs/two-factor.md).
 */
const PURPOSES = {
  totp: "botdesk two-factor totp secret v1",
  recovery: "botdesk two-factor recovery codes v1",
  destination: "botdesk event destination secret v1",
} as const;

const keys = new Map<string, Buffer>();

// Read when first needed, not at import: scripts and tests set the environment before they use it.
let configured: string | undefined;
const configuredSecret = () => (configured ??= readEnv().AUTH_SECRET);

function keyFor(purpose: keyof typeof PURPOSES, secret = configuredSecret()): Buffer {
  if (!secret) throw new Error("AUTH_SECRET is not set: second factors cannot be stored or checked");
  const cacheKey = `${purpose}\0${secret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, "botdesk", PURPOSES[purpose], 32));
    keys.set(cacheKey, key);
  }
  return key;
}

const VERSION = "v1";

/**
 * Encrypts a TOTP secret with AES-256-GCM; the person's id is the additional
 * data, so a ciphertext copied to another person's row does not decrypt.
 * Returns `v1.<base64url(iv ‖ ciphertext ‖ tag)>`.
 */
export function sealSecret(plain: string, principalId: string, authSecret?: string): string {
  return seal("totp", plain, principalId, authSecret);
}

/** The TOTP secret sealed by sealSecret for this person, or null when it does not decrypt (another AUTH_SECRET, another row, tampered). */
export function openSecret(sealed: string, principalId: string, authSecret?: string): string | null {
  return open("totp", sealed, principalId, authSecret);
}

/**
 * An event destination's secret (a webhook's signing secret, a Datadog API
 * key): the server must use it, so it is sealed, not hashed, under its own key;
 * the destination's id is the additional data.
 */
export function sealDestinationSecret(plain: string, destinationId: string): string {
  return seal("destination", plain, destinationId);
}

/** A secret sealed by sealDestinationSecret for this destination, or null when it does not decrypt. */
export function openDestinationSecret(sealed: string, destinationId: string): string | null {
  return open("destination", sealed, destinationId);
}

function seal(purpose: "totp" | "destination", plain: string, aad: string, authSecret?: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(purpose, authSecret), iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
}

function open(purpose: "totp" | "destination", sealed: string, aad: string, authSecret?: string): string | null {
  const [version, data] = sealed.split(".");
  if (version !== VERSION || !data) return null;
  const bytes = Buffer.from(data, "base64url");
  if (bytes.length < 12 + 16 + 1) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFor(purpose, authSecret), bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

/**
 * A recovery code's stored form: HMAC-SHA-256 under the recovery key, over the
 * person's id and the normalized code. A keyed fast hash, not argon2: the
 * codes are 60 random bits, so there is no dictionary to slow down, and the
 * key is not in the database; a fast, deterministic hash is what lets one
 * indexed UPDATE find and spend a code atomically.
 */
export function recoveryCodeHash(principalId: string, normalizedCode: string, authSecret?: string): string {
  return createHmac("sha256", keyFor("recovery", authSecret)).update(`${principalId}:${normalizedCode}`).digest("hex");
}
