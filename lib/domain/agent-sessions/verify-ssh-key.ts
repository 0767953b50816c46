import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import type { Role } from "@/lib/db/generated/enums";
import { recordCredentialRefusal } from "@/lib/domain/access/authenticate-credential";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { CREDENTIAL_REFUSALS, type CredentialRefusalReason } from "@/lib/domain/credentials/verify-credential";
import { markCredentialUsed, isUseStale } from "@/lib/domain/credentials/mark-used";
import { standingIn } from "@/lib/domain/principals/active-in-account";

interface Row {
  id: string;
  account_id: string;
  acl: string[];
  revoked_at: Date | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  owner_id: string;
  owner_kind: "person" | "bot";
  owner_name: string;
  owner_status: "active" | "deactivated";
  owner_account_id: string | null;
  owner_deleted_at: Date | null;
  owner_last_activity_at: Date | null;
  membership_status: "active" | "deactivated" | null;
  membership_role: Role | null;
  account_name: string;
  seat_limit: number;
}

export type SshKeyVerification =
  | { ok: true; actor: Actor & { credential: { id: string; display: string } }; acl: string[] }
  | { ok: false; reason: CredentialRefusalReason; message: string };

/** The credential with its owner, the owner's membership and the account: what the check needs, in one read. */
const SELECT_WITH_OWNER = Prisma.sql`
    SELECT c.id, c.account_id, c.acl, c.revoked_at, c.expires_at, c.last_used_at,
           p.id AS owner_id, p.kind::text AS owner_kind, p.name AS owner_name, p.status::text AS owner_status,
           p.account_id AS owner_account_id, p.deleted_at AS owner_deleted_at, p.last_activity_at AS owner_last_activity_at,
           m.status::text AS membership_status, m.role::text AS membership_role, a.name AS account_name, a.seat_limit
    FROM credentials c
    JOIN principals p ON p.id = c.owner_id
    JOIN accounts a ON a.id = c.account_id
    LEFT JOIN memberships m ON m.account_id = c.account_id AND m.principal_id = c.owner_id`;

/** The SSH credentials of an account (or of every account) with this SHA256 fingerprint. */
function rows(fingerprint: string, accountId: string | null) {
  return db().$queryRaw<Row[]>`${SELECT_WITH_OWNER}
    WHERE c.kind = 'ssh_key' AND c.fingerprint = ${fingerprint} AND (${accountId}::text IS NULL OR c.account_id = ${accountId})
    LIMIT 2`;
}

/**
 * A revoked SSH credential holding this key: revoking frees the fingerprint
 * (so the key can be registered again) but keeps the public key line, so a
 * revoked key's use is still attributed. Read only for keys no live credential
 * has (a scan of revoked SSH keys; the client has already proven it holds the key).
 */
function revokedRows(blobBase64: string, accountId: string | null) {
  return db().$queryRaw<Row[]>`${SELECT_WITH_OWNER}
    WHERE c.kind = 'ssh_key' AND c.revoked_at IS NOT NULL AND split_part(c.public_key, ' ', 2) = ${blobBase64}
      AND (${accountId}::text IS NULL OR c.account_id = ${accountId})
    ORDER BY c.revoked_at DESC
    LIMIT 1`;
}

/**
 * The check of an SSH public key presented to the SSH server (after the client
 * proved it holds the private key; `blob` is the key, to find it among revoked
 * keys too), the SSH counterpart of verifyCredential:
 * the key's credential by fingerprint (in `accountId` when the client named
 * one as its user name: the same key may be registered in several accounts,
 * and is then refused unless the account is named), refused when revoked,
 * expired, or its owner is not active in the account (the one active rule,
 * standingIn). A refused key that exists records one `credential.refused`
 * for its owner (source agent); an unknown key records nothing. Reads the
 * database on every call; an accepted key's "last used" and its owner's "last
 * activity" are written at most once a minute each (markCredentialUsed).
 */
export async function verifySshKey(
  fingerprint: string,
  opts: { accountId: string | null; ctx: RequestContext; now?: Date; blob?: Buffer },
): Promise<SshKeyVerification> {
  let found = await rows(fingerprint, opts.accountId);
  if (found.length === 0 && opts.blob) found = await revokedRows(opts.blob.toString("base64"), opts.accountId);
  if (found.length !== 1) return { ok: false, reason: "unknown", message: CREDENTIAL_REFUSALS.unknown };
  const row = found[0]!;
  const now = opts.now ?? new Date();
  const standing = standingIn(
    {
      kind: row.owner_kind,
      status: row.owner_status,
      accountId: row.owner_account_id,
      deletedAt: row.owner_deleted_at,
      memberships: row.membership_status ? [{ accountId: row.account_id, status: row.membership_status }] : [],
    },
    row.account_id,
  );
  const reason: CredentialRefusalReason | null = row.revoked_at
    ? "revoked"
    : standing === "deleted"
      ? "owner_deleted"
      : standing !== "active"
        ? "owner_deactivated"
        : row.expires_at && row.expires_at <= now
          ? "expired"
          : null;
  const credential = { id: row.id, display: fingerprint };
  if (reason) {
    // The same record as a refused API key or authtoken, with the same cap: an `ssh` loop with a
    // revoked key records at most REFUSALS_RECORDED_PER_MINUTE a minute (every attempt is refused).
    await recordCredentialRefusal(
      { accountId: row.account_id, principalId: row.owner_id, credential: { ...credential, kind: "ssh_key" }, reason },
      { source: "agent", path: "ssh", ctx: opts.ctx },
    );
    return { ok: false, reason, message: CREDENTIAL_REFUSALS[reason] };
  }
  if (isUseStale({ lastUsedAt: row.last_used_at, lastActivityAt: row.owner_last_activity_at }, now)) {
    await markCredentialUsed({ credentialId: row.id, principalId: row.owner_id, ip: opts.ctx.ip, now });
  }
  return {
    ok: true,
    acl: row.acl,
    actor: {
      principal: { id: row.owner_id, name: row.owner_name, kind: row.owner_kind },
      account: { id: row.account_id, name: row.account_name, seatLimit: row.seat_limit },
      role: row.owner_kind === "person" ? (row.membership_role ?? "member") : "member",
      source: "agent",
      credential,
    },
  };
}
