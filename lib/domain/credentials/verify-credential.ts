import { db } from "@/lib/db/client";
import { standingIn } from "@/lib/domain/principals/active-in-account";
import { parseToken, secretMatches, type SecretKind } from "./token-format";

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
}

export type CredentialVerification =
  | { ok: true; credential: { id: string; kind: SecretKind; accountId: string; acl: string[] }; principal: VerifiedPrincipal }
  | {
      ok: false;
      reason: CredentialRefusalReason;
      message: string;
      /** Present when the secret itself matched (refused for status, not for being wrong). */
      principal?: VerifiedPrincipal;
    };

const refuse = (reason: CredentialRefusalReason, principal?: VerifiedPrincipal): CredentialVerification => ({
  ok: false,
  reason,
  message: CREDENTIAL_REFUSALS[reason],
  ...(principal ? { principal } : {}),
});

/**
 * THE check of a presented authtoken or API key, used by every API and agent
 * path and by the sign-in gate. Reads the database on every call (no cache can
 * let a deactivated owner's credential through), compares in constant time, and
 * does the same work for an unknown id as for a wrong secret. Updates "last
 * used" at most once a minute per credential.
 */
export async function verifyCredential(
  secret: string,
  opts: { kinds?: SecretKind[]; ip?: string | null; now?: Date } = {},
): Promise<CredentialVerification> {
  const parsed = parseToken(secret);
  if (!parsed || (opts.kinds && !opts.kinds.includes(parsed.kind))) return refuse("malformed");
  // Step 1 costs the same whether the id exists or not: one primary-key read of
  // a small row (or none) and one constant-time hash comparison.
  // Always exactly one row back (NULLs for an unknown id), so even decoding costs the same.
  const [stored] = await db().$queryRaw<{ secret_hash: string | null; kind: string | null }[]>`
    SELECT c.secret_hash, c.kind::text AS kind FROM (SELECT 1) AS one LEFT JOIN credentials c ON c.id = ${parsed.credentialId}`;
  if (!secretMatches(secret, stored?.secret_hash) || stored?.kind !== parsed.kind) return refuse("unknown");
  // Step 2, only for the right secret: what decides whether it may be used now.
  const row = await db().credential.findUniqueOrThrow({
    where: { id: parsed.credentialId },
    select: {
      id: true,
      accountId: true,
      acl: true,
      revokedAt: true,
      expiresAt: true,
      lastUsedAt: true,
      owner: {
        select: {
          id: true,
          kind: true,
          name: true,
          status: true,
          accountId: true,
          deletedAt: true,
          memberships: { select: { accountId: true, status: true } },
        },
      },
    },
  });
  const { owner } = row;
  const principal: VerifiedPrincipal = { id: owner.id, kind: owner.kind, name: owner.name, status: owner.status, accountId: owner.accountId };
  if (row.revokedAt) return refuse("revoked", principal);
  // The one active-owner rule, which lists also use to show "suspended".
  const standing = standingIn(owner, row.accountId);
  if (standing === "deleted") return refuse("owner_deleted", principal);
  if (standing !== "active") return refuse("owner_deactivated", principal);
  const now = opts.now ?? new Date();
  if (row.expiresAt && row.expiresAt <= now) return refuse("expired", principal);

  // At most one write a minute per credential; the condition repeats in SQL for concurrent requests.
  const aMinuteAgo = new Date(now.getTime() - 60_000);
  if (!row.lastUsedAt || row.lastUsedAt < aMinuteAgo) {
    await db().credential.updateMany({
      where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: aMinuteAgo } }] },
      data: { lastUsedAt: now, lastUsedIp: opts.ip ?? null },
    });
  }
  return { ok: true, credential: { id: row.id, kind: parsed.kind, accountId: row.accountId, acl: row.acl }, principal };
}
