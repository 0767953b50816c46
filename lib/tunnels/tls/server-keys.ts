import { db, type Db } from "@/lib/db/client";
import { readEnv } from "@/lib/env";
import { openPrivateKey, sealPrivateKey } from "./seal";

/**
 * The server_keys table: keys every instance on one database shares (the
 * agent CA, the agent listener's certificate, the SSH host key). Creating or
 * replacing a key happens under one advisory lock, so instances that start at
 * once on an empty database make exactly one of each; reading the public part
 * needs no lock and no AUTH_SECRET.
 */
export type ServerKeyName = "agent-ca" | "agent-server" | "ssh-host";

export interface StoredKey {
  publicPart: string;
  /** Decrypted: keep it in memory only. */
  privateKey: Buffer;
  notBefore: Date | null;
  notAfter: Date | null;
}

export interface ServerKeysAccess {
  /** The process's Prisma client unless given (tests pass one per simulated instance). */
  prisma?: Db;
  /** AUTH_SECRET unless given. */
  secret?: string;
}

export interface LockedServerKeys {
  /** The stored key, decrypted; null when there is none. Throws ServerKeyUnreadableError with another AUTH_SECRET. */
  read(name: ServerKeyName): Promise<StoredKey | null>;
  /** Stores (or replaces) the key, its private part encrypted. */
  write(name: ServerKeyName, key: StoredKey): Promise<void>;
}

// One lock for all of them: the agent certificate is made from the CA, in the same turn.
const LOCK = "botdesk.server_keys";

export async function withServerKeysLocked<T>(access: ServerKeysAccess, fn: (keys: LockedServerKeys) => Promise<T>): Promise<T> {
  const prisma = access.prisma ?? db();
  const secret = access.secret ?? readEnv().AUTH_SECRET ?? "";
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtextextended(${LOCK}, 0))::text AS held`;
    return fn({
      async read(name) {
        const row = await tx.serverKey.findUnique({ where: { name } });
        if (!row) return null;
        return { publicPart: row.publicPart, privateKey: openPrivateKey(secret, name, row.privateKeyEncrypted), notBefore: row.notBefore, notAfter: row.notAfter };
      },
      async write(name, key) {
        const data = {
          publicPart: key.publicPart,
          privateKeyEncrypted: new Uint8Array(sealPrivateKey(secret, name, key.privateKey)),
          notBefore: key.notBefore,
          notAfter: key.notAfter,
          updatedAt: new Date(),
        };
        await tx.serverKey.upsert({ where: { name }, create: { name, ...data }, update: data });
      },
    });
  });
}

/** The public part of a stored key (a certificate's PEM, an SSH public key line), or null: no lock, no decryption. */
export async function readPublicPart(name: ServerKeyName, prisma: Db = db()): Promise<string | null> {
  const row = await prisma.serverKey.findUnique({ where: { name }, select: { publicPart: true } });
  return row?.publicPart ?? null;
}
