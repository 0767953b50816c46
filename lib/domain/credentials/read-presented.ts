import { db, queryHot } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";

/**
 * The reads behind the one credential check (verify-credential.ts): a
 * credential with its owner, the owner's membership in the credential's
 * account and that account, in ONE round trip, by the id a secret names or by
 * an SSH key's fingerprint. Every column is NULL for an unknown id.
 */
export interface PresentedRow {
  id: string | null;
  account_id: string | null;
  kind: string | null;
  acl: string[] | null;
  secret_hash: string | null;
  revoked_at: Date | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  owner_id: string | null;
  owner_kind: string | null;
  owner_name: string | null;
  owner_status: string | null;
  owner_account_id: string | null;
  owner_deleted_at: Date | null;
  owner_last_activity_at: Date | null;
  membership_status: string | null;
  membership_role: string | null;
  account_name: string | null;
  seat_limit: number | null;
}

const COLUMNS = Prisma.sql`c.id, c.account_id, c.kind::text AS kind, c.acl, c.secret_hash, c.revoked_at, c.expires_at, c.last_used_at,
           p.id AS owner_id, p.kind::text AS owner_kind, p.name AS owner_name, p.status::text AS owner_status,
           p.account_id AS owner_account_id, p.deleted_at AS owner_deleted_at, p.last_activity_at AS owner_last_activity_at,
           m.status::text AS membership_status, m.role::text AS membership_role, a.name AS account_name, a.seat_limit`;

/**
 * The credential a secret names, by id. Always exactly one row back, NULLs for
 * an unknown id, read by the same probes (the credential, its owner and the
 * owner's membership in its account, each by primary key; an unknown id probes
 * for ''), so an unknown id costs what a wrong secret costs.
 */
export async function readById(credentialId: string): Promise<PresentedRow | undefined> {
  const [row] = await queryHot<PresentedRow>(Prisma.sql`/* prepared */
    SELECT ${COLUMNS}
    FROM (SELECT 1) AS one
    LEFT JOIN credentials c ON c.id = ${credentialId}
    LEFT JOIN principals p ON p.id = COALESCE(c.owner_id, '')
    LEFT JOIN memberships m ON m.account_id = COALESCE(c.account_id, '') AND m.principal_id = COALESCE(c.owner_id, '')
    LEFT JOIN accounts a ON a.id = COALESCE(c.account_id, '')`);
  return row;
}

const JOINS = Prisma.sql`FROM credentials c
    JOIN principals p ON p.id = c.owner_id
    JOIN accounts a ON a.id = c.account_id
    LEFT JOIN memberships m ON m.account_id = c.account_id AND m.principal_id = c.owner_id`;

/**
 * The SSH credential holding a public key: by fingerprint among live keys (in
 * `accountId` when the client named one: the same key may be registered in
 * several accounts, and then only a named account tells which), else, with the
 * key itself (`blob`), the latest revoked credential that held it (revoking
 * frees the fingerprint for a new registration but keeps the public key line,
 * so a revoked key's use is still attributed). Undefined when none or, with no
 * account named, more than one.
 */
export async function readBySshKey(key: { fingerprint: string; blob?: Buffer; accountId: string | null }): Promise<PresentedRow | undefined> {
  let rows = await db().$queryRaw<PresentedRow[]>`SELECT ${COLUMNS} ${JOINS}
    WHERE c.kind = 'ssh_key' AND c.fingerprint = ${key.fingerprint} AND (${key.accountId}::text IS NULL OR c.account_id = ${key.accountId})
    LIMIT 2`;
  if (rows.length === 0 && key.blob) {
    // A scan of revoked SSH keys, only for keys no live credential has (the client has proven it holds the key).
    rows = await db().$queryRaw<PresentedRow[]>`SELECT ${COLUMNS} ${JOINS}
      WHERE c.kind = 'ssh_key' AND c.revoked_at IS NOT NULL AND split_part(c.public_key, ' ', 2) = ${key.blob.toString("base64")}
        AND (${key.accountId}::text IS NULL OR c.account_id = ${key.accountId})
      ORDER BY c.revoked_at DESC
      LIMIT 1`;
  }
  return rows.length === 1 ? rows[0] : undefined;
}
