import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * Private keys the server keeps in its database (server_keys) are sealed with
 * AES-256-GCM under a key derived from AUTH_SECRET with HKDF-SHA-256. The key
 * and the GCM associated data are both bound to the row's name, so a sealed
 * key copied into another row does not open. Format: version (1) ‖ IV (12
 * bytes) ‖ ciphertext ‖ tag (16 bytes); the table's CHECK refuses anything
 * else, so a plain key can never be stored there by mistake.
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT = Buffer.from("botdesk server_keys v1", "utf8");

function keyFor(secret: string, name: string): Buffer {
  if (!secret) throw new Error("AUTH_SECRET is not set: it encrypts the server's private keys. Start Botdesk with `npm start`, which provides one.");
  return Buffer.from(hkdfSync("sha256", Buffer.from(secret, "utf8"), SALT, Buffer.from(`server_keys:${name}`, "utf8"), 32));
}

export function sealPrivateKey(secret: string, name: string, plaintext: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyFor(secret, name), iv);
  cipher.setAAD(Buffer.from(name, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]);
}

/** A stored private key that this instance cannot decrypt: another AUTH_SECRET made it (or the row was damaged). */
export class ServerKeyUnreadableError extends Error {
  constructor(readonly keyName: string) {
    super(
      `The server key "${keyName}" stored in the database (table server_keys) cannot be decrypted with this instance's AUTH_SECRET: ` +
        "it was made by an instance started with another AUTH_SECRET. Start every instance that shares this database with the same " +
        "AUTH_SECRET (with the embedded database it is kept in <data directory>/auth-secret). Botdesk will not make new keys over it: " +
        `agents trust the CA, and SSH clients the host key, that are stored. To start over with new keys on purpose (every agent must then ` +
        `trust the new CA, and SSH clients see a new host key), delete the row: DELETE FROM server_keys WHERE name = '${keyName}';`,
    );
    this.name = "ServerKeyUnreadableError";
  }
}

export function openPrivateKey(secret: string, name: string, sealed: Uint8Array): Buffer {
  const bytes = Buffer.from(sealed);
  if (bytes.length <= 1 + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) throw new ServerKeyUnreadableError(name);
  const iv = bytes.subarray(1, 1 + IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", keyFor(secret, name), iv);
  decipher.setAAD(Buffer.from(name, "utf8"));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    // GCM's tag check failed: the wrong key (another AUTH_SECRET), another row's name, or damaged bytes.
    throw new ServerKeyUnreadableError(name);
  }
}
