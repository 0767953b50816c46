import type { Role } from "@/lib/db/generated/enums";
import { standingIn } from "@/lib/domain/principals/active-in-account";
import type { CredentialKind } from "./credential-view";
import { markCredentialUsed, isUseStale } from "./mark-used";
import { readById, readBySshKey, type PresentedRow } from "./read-presented";
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

/**
 * What a caller presents: a secret (an API key or an authtoken, of the kinds
 * the way in accepts), or an SSH public key whose private key the client has
 * proven it holds (by its fingerprint; `blob`, the key, finds it among revoked
 * keys too; `accountId` when the client named an account).
 */
export type PresentedCredential =
  | { secret: string; kinds?: SecretKind[] }
  | { sshKey: { fingerprint: string; blob?: Buffer; accountId: string | null } };

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

/** The credential as events and sessions name it: a masked secret, or an SSH key's fingerprint. */
export interface VerifiedCredential {
  id: string;
  kind: CredentialKind;
  accountId: string;
  display: string;
}

export type CredentialVerification =
  | { ok: true; credential: VerifiedCredential & { acl: string[] }; principal: VerifiedPrincipal; account: VerifiedAccount }
  | {
      ok: false;
      reason: CredentialRefusalReason;
      message: string;
      /** The id the presented credential claims (a secret's, even an unknown one; a known SSH key's); null when malformed or unknown. */
      credentialId: string | null;
      /** Present when the credential itself matched (refused for status, not for being wrong). */
      principal?: VerifiedPrincipal;
      /** Present with `principal`: the credential whose matching secret or key was refused. */
      credential?: VerifiedCredential;
    };

const refuse = (
  reason: CredentialRefusalReason,
  credentialId: string | null,
  matched?: { principal: VerifiedPrincipal; credential: VerifiedCredential },
): CredentialVerification => ({ ok: false, reason, message: CREDENTIAL_REFUSALS[reason], credentialId, ...(matched ?? {}) });

/**
 * THE check of a presented credential, for every way in: API keys (the REST
 * API), authtokens (the agent listener), SSH keys
 * (the SSH server) and, read-only, the sign-in gate's look at a secret pasted
 * as a password (ownerOfPresentedSecret). Reads the database on every call (no
 * cache can let a deactivated owner's credential through) in one round trip;
 * a secret is compared in constant time, with the same work for an unknown id
 * as for a wrong secret. Refused, in this order: malformed (or a kind this way
 * does not take), unknown, revoked, owner deleted, owner deactivated in the
 * account (the one active rule, standingIn), expired. An accepted credential
 * updates its "last used" and its owner's "last activity", each at most once a
 * minute, in one statement (not with `use: false`); a refused one neither.
 *
 * Most callers want authenticateCredential (lib/domain/access), which records
 * refusals and builds the Actor from this.
 */
export async function verifyCredential(
  presented: PresentedCredential | string,
  opts: { kinds?: SecretKind[]; ip?: string | null; now?: Date; use?: boolean } = {},
): Promise<CredentialVerification> {
  const p: PresentedCredential = typeof presented === "string" ? { secret: presented, kinds: opts.kinds } : presented;
  let row: PresentedRow | undefined;
  let display: string;
  let claimedId: string | null = null;
  if ("secret" in p) {
    const parsed = parseToken(p.secret);
    if (!parsed || (p.kinds && !p.kinds.includes(parsed.kind))) return refuse("malformed", null);
    claimedId = parsed.credentialId;
    row = await readById(parsed.credentialId);
    // Nothing but the comparison's outcome decides what happens next.
    if (!secretMatches(p.secret, row?.secret_hash) || row?.kind !== parsed.kind) return refuse("unknown", claimedId);
    display = maskedSecret(parsed.kind, p.secret.trim().slice(-4));
  } else {
    row = await readBySshKey(p.sshKey);
    display = p.sshKey.fingerprint;
  }
  // Only for the right secret (or a key the client holds): what decides whether it may be used now.
  const now = opts.now ?? new Date();
  const decided = decide(row, display, claimedId, now);
  if (!decided.ok || !row?.id || !row.owner_id) return decided;

  // Real use: the credential's "last used" and its owner's "last activity", at
  // most one write a minute each, both in one statement.
  if (opts.use !== false && isUseStale({ lastUsedAt: row.last_used_at, lastActivityAt: row.owner_last_activity_at }, now)) {
    await markCredentialUsed({ credentialId: row.id, principalId: row.owner_id, ip: opts.ip ?? null, now });
  }
  return decided;
}

/**
 * The refusals, in their order, for a credential row that matched what was
 * presented (or was looked up by id): verifyCredential's rule, also used by
 * checkCredentialById.
 */
function decide(row: PresentedRow | undefined, display: string, claimedId: string | null, now: Date): CredentialVerification {
  if (!row?.id || !row.account_id || !row.owner_id) return refuse("unknown", claimedId);
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
  const credential: VerifiedCredential = { id: row.id, kind: row.kind as CredentialKind, accountId: row.account_id, display };
  const matched = { principal, credential };
  if (row.revoked_at) return refuse("revoked", row.id, matched);
  // The one active-owner rule, which lists also use to show "suspended".
  const standing = standingIn(owner, row.account_id);
  if (standing === "deleted") return refuse("owner_deleted", row.id, matched);
  if (standing !== "active") return refuse("owner_deactivated", row.id, matched);
  if (row.expires_at && row.expires_at <= now) return refuse("expired", row.id, matched);
  return {
    ok: true,
    credential: { ...credential, acl: row.acl ?? [] },
    principal,
    account: { id: row.account_id, name: row.account_name ?? "", seatLimit: row.seat_limit ?? 0 },
  };
}

/**
 * Whether a credential that was accepted earlier (an open tunnel session's)
 * may still be used, by its id: the same refusals as verifyCredential, in the
 * same order (a credential deleted with its bot is `unknown`), and READ-ONLY
 * (nothing is being used). With it, its expiry, so a holder can end the
 * session when it comes.
 */
export async function checkCredentialById(credentialId: string, now = new Date()): Promise<{ verification: CredentialVerification; expiresAt: Date | null }> {
  const row = await readById(credentialId);
  return { verification: decide(row, "", credentialId, now), expiresAt: row?.expires_at ?? null };
}

/**
 * The principal owning a credential secret (authtoken, API key) that someone
 * typed where a password was expected, so the sign-in gate can record the
 * attempt against a bot: the one check, READ-ONLY (nothing is being used, so
 * "last used" stays as it was). Whether the credential is revoked, expired or
 * suspended does not matter here (the caller answers every such attempt the
 * same way), only whose secret it is; null for anything that is not one.
 */
export async function ownerOfPresentedSecret(secret: string): Promise<VerifiedPrincipal | null> {
  const verified = await verifyCredential({ secret }, { use: false });
  return verified.principal ?? null;
}
