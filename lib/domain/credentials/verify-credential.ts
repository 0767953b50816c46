import { db } from "@/lib/db/client";
import type { Role } from "@/lib/db/generated/enums";
import { standingIn } from "@/lib/domain/principals/active-in-account";
import { markCredentialUsed, isUseStale } from "./mark-used";
import { maskedSecret, parseToken, secretMatches, type SecretKind } from "./token-format";

export type CredentialRefusalReason = "malformed" | "unknown" | "revoked" | "expired" | "owner_deactivated" | "owner_deleted";

export const CREDENTIAL_REFUSALS: Record<CredentialRefusalReason, string> = {
  malformed: "the credential is malformed",
  unknown: "the credential is well formed but invalid",
  revoked: "the credential has been revoked",
  expired: "the credential has expired",
  owner_deactivated: "the credential's owner is deactivated",
  owner_deleted: "the credential's owner has been deleted",
};

export interface VerifiedPrincipal {
  id: string;
  kind: "person" | "bot";
  name: string;
  status: "active" | "deactivated";
  accountId: string | null;
  /** A person's role in the credential's account (null for a bot or a person without a membership there). */
  role: Role | null;
}

/** The credential's account, as an Actor carries it. */
export interface VerifiedAccount {
  id: string;
  name: string;
  seatLimit: number;
}

export type CredentialVerification =
  | {
      ok: true;
      credential: { id: string; kind: SecretKind; accountId: string; acl: string[]; display: string };
      principal: VerifiedPrincipal;
      account: VerifiedAccount;
    }
  | {
      ok: false;
      reason: CredentialRefusalReason;
      message: string;
      /** Present when the secret itself matched (refused for status, not for being wrong). */
      principal?: VerifiedPrincipal;
      /** Present with `principal`: the credential whose matching secret was refused. */
      credential?: { id: string; kind: SecretKind; accountId: string; display: string };
    };

/** One row of the verification read; every column NULL for an unknown id. */
interface VerificationRow {
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

type RefusedCredential = NonNullable<Extract<CredentialVerification, { ok: false }>["credential"]>;

const refuse = (reason: CredentialRefusalReason, matched?: { principal: VerifiedPrincipal; credential: RefusedCredential }): CredentialVerification => ({
  ok: false,
  reason,
  message: CREDENTIAL_REFUSALS[reason],
  ...(matched ?? {}),
});

/**
 * THE check of a presented authtoken or API key, used by every API and agent
 * path and by the sign-in gate. Reads the database on every call (no cache can
 * let a deactivated owner's credential through) in one round trip, compares in
 * constant time, and does the same work for an unknown id as for a wrong
 * secret. An accepted credential updates its "last used" and its owner's "last
 * activity", each at most once a minute, in one statement; a refused one neither.
 */
export async function verifyCredential(
  secret: string,
  opts: { kinds?: SecretKind[]; ip?: string | null; now?: Date } = {},
): Promise<CredentialVerification> {
  const parsed = parseToken(secret);
  if (!parsed || (opts.kinds && !opts.kinds.includes(parsed.kind))) return refuse("malformed");
  // One round trip, the same for an unknown id as for a wrong secret: always
  // exactly one row back (NULLs for an unknown id), read by the same probes (the
  // credential, its owner and the owner's membership in its account, each by
  // primary key; an unknown id probes for ''), then one constant-time comparison.
  // Nothing but the comparison's outcome decides what happens next.
  const [row] = await db().$queryRaw<VerificationRow[]>`/* prepared */
    SELECT c.id, c.account_id, c.kind::text AS kind, c.acl, c.secret_hash, c.revoked_at, c.expires_at, c.last_used_at,
           p.id AS owner_id, p.kind::text AS owner_kind, p.name AS owner_name, p.status::text AS owner_status,
           p.account_id AS owner_account_id, p.deleted_at AS owner_deleted_at, p.last_activity_at AS owner_last_activity_at,
           m.status::text AS membership_status,
           m.role::text AS membership_role, a.name AS account_name, a.seat_limit
    FROM (SELECT 1) AS one
    LEFT JOIN credentials c ON c.id = ${parsed.credentialId}
    LEFT JOIN principals p ON p.id = COALESCE(c.owner_id, '')
    LEFT JOIN memberships m ON m.account_id = COALESCE(c.account_id, '') AND m.principal_id = COALESCE(c.owner_id, '')
    LEFT JOIN accounts a ON a.id = COALESCE(c.account_id, '')`;
  if (!secretMatches(secret, row?.secret_hash) || row?.kind !== parsed.kind) return refuse("unknown");
  // Only for the right secret: what decides whether it may be used now.
  if (!row.id || !row.account_id || !row.owner_id) return refuse("unknown");
  const owner = {
    kind: row.owner_kind as "person" | "bot",
    status: row.owner_status as "active" | "deactivated",
    accountId: row.owner_account_id,
    deletedAt: row.owner_deleted_at,
    memberships: row.membership_status ? [{ accountId: row.account_id, status: row.membership_status as "active" | "deactivated" }] : [],
  };
  const principal: VerifiedPrincipal = {
    id: row.owner_id,
    kind: owner.kind,
    name: row.owner_name ?? "",
    status: owner.status,
    accountId: owner.accountId,
    role: owner.kind === "person" ? ((row.membership_role as Role | null) ?? null) : null,
  };
  const credential = { id: row.id, kind: parsed.kind, accountId: row.account_id, display: maskedSecret(parsed.kind, secret.trim().slice(-4)) };
  const matched = { principal, credential };
  if (row.revoked_at) return refuse("revoked", matched);
  // The one active-owner rule, which lists also use to show "suspended".
  const standing = standingIn(owner, row.account_id);
  if (standing === "deleted") return refuse("owner_deleted", matched);
  if (standing !== "active") return refuse("owner_deactivated", matched);
  const now = opts.now ?? new Date();
  if (row.expires_at && row.expires_at <= now) return refuse("expired", matched);

  // Real use: the credential's "last used" and its owner's "last activity", at
  // most one write a minute each, both in one statement.
  if (isUseStale({ lastUsedAt: row.last_used_at, lastActivityAt: row.owner_last_activity_at }, now)) {
    await markCredentialUsed({ credentialId: row.id, principalId: row.owner_id, ip: opts.ip ?? null, now });
  }
  return {
    ok: true,
    credential: { ...credential, acl: row.acl ?? [] },
    principal,
    account: { id: row.account_id, name: row.account_name ?? "", seatLimit: row.seat_limit ?? 0 },
  };
}
