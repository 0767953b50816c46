import type { Prisma } from "@/lib/db/generated/client";
import { standingIn, type StandingFacts } from "@/lib/domain/principals/active-in-account";
import { KIND_LABELS } from "./labels";
import { maskedSecret } from "./token-format";

export type CredentialKind = "authtoken" | "api_key" | "ssh_key";
export type CredentialStatus = "active" | "expiring" | "expired" | "suspended";

export { KIND_LABELS };
export const EXPIRING_WITHIN_MS = 7 * 86_400_000;

/** What every page and response shows of a credential: never its secret or hash. */
export interface CredentialView {
  id: string;
  kind: CredentialKind;
  /** `bdat_…abcd` for secrets, the SHA256 fingerprint for SSH keys. */
  display: string;
  description: string;
  metadata: string;
  acl: string[];
  owner: { id: string; name: string; kind: "person" | "bot" };
  status: CredentialStatus;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  rotatedFromId: string | null;
  publicKey: string | null;
}

export const credentialViewSelect = {
  id: true,
  kind: true,
  description: true,
  metadata: true,
  acl: true,
  secretHint: true,
  fingerprint: true,
  publicKey: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  lastUsedIp: true,
  rotatedFromId: true,
  accountId: true,
  // Everything the one active-owner rule reads (a person has few memberships).
  owner: {
    select: {
      id: true,
      name: true,
      kind: true,
      status: true,
      accountId: true,
      deletedAt: true,
      memberships: { select: { accountId: true, status: true } },
    },
  },
} satisfies Prisma.CredentialSelect;

type Row = Prisma.CredentialGetPayload<{ select: typeof credentialViewSelect }>;

/**
 * What a list shows: "suspended" exactly when verification refuses the owner
 * (deactivated, removed from the account, deleted), by the same rule; then
 * expired, expiring within 7 days, or active.
 */
export function credentialStatus(row: { accountId: string; expiresAt: Date | null; owner: StandingFacts }, now = new Date()): CredentialStatus {
  if (standingIn(row.owner, row.accountId) !== "active") return "suspended";
  if (row.expiresAt && row.expiresAt <= now) return "expired";
  if (row.expiresAt && row.expiresAt.getTime() - now.getTime() <= EXPIRING_WITHIN_MS) return "expiring";
  return "active";
}

/** A row as pages show it; `showIp` false hides where it was last used from (see mayViewIpOf). */
export function toCredentialView(row: Row, now = new Date(), showIp = true): CredentialView {
  return {
    id: row.id,
    kind: row.kind,
    display: row.kind === "ssh_key" ? (row.fingerprint ?? "") : maskedSecret(row.kind, row.secretHint),
    description: row.description,
    metadata: row.metadata,
    acl: row.acl,
    owner: { id: row.owner.id, name: row.owner.name, kind: row.owner.kind },
    status: credentialStatus(row, now),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    lastUsedIp: showIp ? row.lastUsedIp : null,
    rotatedFromId: row.rotatedFromId,
    publicKey: row.publicKey,
  };
}

/** How an event names a credential: its kind and masked secret or fingerprint. */
export function credentialSubjectName(view: Pick<CredentialView, "kind" | "display" | "description">): string {
  const label = `${KIND_LABELS[view.kind]} ${view.display}`;
  return view.description ? `${label} (${view.description.slice(0, 60)})` : label;
}
