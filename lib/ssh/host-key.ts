import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import ssh2 from "ssh2";

export const HOST_KEY_FILE = "ssh_host_ed25519_key";

/**
 * The SSH server's host key, generated once (ed25519) and kept in the data
 * directory (mode 0600), so clients see the same server key at every start.
 */
export function ensureHostKey(dataDir: string): { key: string; file: string; generated: boolean } {
  const file = path.join(dataDir, HOST_KEY_FILE);
  if (existsSync(file)) return { key: readFileSync(file, "utf8"), file, generated: false };
  mkdirSync(dataDir, { recursive: true });
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: "botdesk host key" });
  // wx: two instances starting together on one data directory never overwrite each other's key.
  try {
    writeFileSync(file, pair.private, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { key: readFileSync(file, "utf8"), file, generated: false };
  }
  chmodSync(file, 0o600);
  return { key: pair.private, file, generated: true };
}
