import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import ssh2 from "ssh2";
import { withServerKeysLocked, type ServerKeysAccess } from "@/lib/tunnels/tls/server-keys";
import { generateEd25519Key } from "./ed25519-key";

/** Where the SSH host key was kept before it moved to the database: imported from there once. */
export const HOST_KEY_FILE = "ssh_host_ed25519_key";

export interface HostKey {
  /** The private key (OpenSSH format), for the SSH server only: never shown, logged or sent. */
  key: string;
  /** `ssh-ed25519 AAAA…`: what clients see and keep in known_hosts. */
  publicKey: string;
  /** `database`: stored already; `imported`: taken from the data directory's file; `generated`: new. */
  source: "database" | "imported" | "generated";
  /** A file in the data directory with another key than the stored one (not used: say so). */
  ignoredFile?: string;
}

function publicLine(privateKey: string, origin: string): string {
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error || !parsed.isPrivateKey()) throw new Error(`${origin} is not an unencrypted SSH private key${parsed instanceof Error ? `: ${parsed.message}` : ""}.`);
  return `${parsed.type} ${parsed.getPublicSSH().toString("base64")}`;
}

/**
 * The SSH server's host key, one for every instance on this database (so
 * clients behind a load balancer see one server): kept in server_keys, its
 * private key encrypted under AUTH_SECRET like the agent CA's. On the first
 * start after the upgrade, the key in `<dataDir>/ssh_host_ed25519_key` is
 * imported, so clients' known_hosts keep working; with no file, an ed25519
 * key is generated. Instances starting at once make one.
 */
export async function sshHostKey(options: ServerKeysAccess & { dataDir: string }): Promise<HostKey> {
  const file = path.join(options.dataDir, HOST_KEY_FILE);
  const fileKey = existsSync(file) ? readFileSync(file, "utf8") : null;
  return withServerKeysLocked(options, async (keys) => {
    const stored = await keys.read("ssh-host");
    if (stored) {
      const key = stored.privateKey.toString("utf8");
      const differs = fileKey !== null && publicLineOrNull(fileKey) !== stored.publicPart;
      return { key, publicKey: stored.publicPart, source: "database", ...(differs ? { ignoredFile: file } : {}) };
    }
    if (fileKey !== null) {
      const publicKey = publicLine(fileKey, file);
      await keys.write("ssh-host", { publicPart: publicKey, privateKey: Buffer.from(fileKey, "utf8"), notBefore: null, notAfter: null });
      return { key: fileKey, publicKey, source: "imported" };
    }
    const pair = generateEd25519Key("botdesk host key");
    const publicKey = publicLine(pair.private, "the generated key");
    await keys.write("ssh-host", { publicPart: publicKey, privateKey: Buffer.from(pair.private, "utf8"), notBefore: null, notAfter: null });
    return { key: pair.private, publicKey, source: "generated" };
  });
}

function publicLineOrNull(privateKey: string): string | null {
  try {
    return publicLine(privateKey, "");
  } catch {
    return null;
  }
}
