import { credentialSubjectName, type CredentialKind } from "@/lib/domain/credentials/credential-view";
import {
  verifyCredential,
  type CredentialRefusalReason,
  type CredentialVerification,
  type PresentedCredential,
} from "@/lib/domain/credentials/verify-credential";
import { recordEvent } from "@/lib/domain/events/record-event";
import { db } from "@/lib/db/client";
import { consumeRateLimit } from "./rate-limit";
import type { ActorSource, CredentialActor, RequestContext } from "./types";

export type CredentialAdmission =
  | { ok: true; actor: CredentialActor; acl: string[] }
  | { ok: false; reason: CredentialRefusalReason; message: string; credentialId: string | null };

/** Refusals of a secret that matched: its owner tried, and should see it in their activity. */
const RECORDED: ReadonlySet<CredentialRefusalReason> = new Set(["revoked", "expired", "owner_deactivated", "owner_deleted"]);

/**
 * At most this many refusals of one credential are recorded per minute: a
 * leaked revoked key in a retry loop must not flood the owner's activity (and
 * the events table). Every attempt is still refused.
 */
export const REFUSALS_RECORDED_PER_MINUTE = 20;

/**
 * Records ONE `credential.refused` event for a refused credential whose secret
 * matched, attributed to its owner, unless REFUSALS_RECORDED_PER_MINUTE of its
 * refusals were recorded in the last minute. Also used when a write admitted
 * with the credential is refused because its owner was deactivated or deleted
 * while it ran (lib/api/route.ts): the same refusal, a moment later.
 */
export async function recordCredentialRefusal(
  refusal: { accountId: string; principalId: string; credential: { id: string; display: string; kind: CredentialKind }; reason: CredentialRefusalReason },
  opts: { source: ActorSource; path: string; ctx: RequestContext },
): Promise<void> {
  const { credential } = refusal;
  const flood = await consumeRateLimit(`refused:${credential.id}`, REFUSALS_RECORDED_PER_MINUTE, 60);
  if (flood.limited) return;
  await recordEvent(db(), {
    accountId: refusal.accountId,
    type: "credential.refused",
    principalId: refusal.principalId,
    source: opts.source,
    subject: { id: credential.id, name: credentialSubjectName({ kind: credential.kind, display: credential.display, description: "" }) },
    credential: { id: credential.id, display: credential.display },
    ip: opts.ctx.ip,
    userAgent: opts.ctx.userAgent,
    data: { kind: credential.kind, reason: refusal.reason, path: opts.path.slice(0, 512) },
    // A refused use is not something the owner got done.
    activity: false,
  });
}

/** A credential's kind from its id's prefix (`ak_…`, `cr_…`, `sshcr_…`). */
export function credentialKindOfId(id: string): CredentialKind {
  return id.startsWith("ak_") ? "api_key" : id.startsWith("sshcr_") ? "ssh_key" : "authtoken";
}

/**
 * THE way a program gets in with a credential: the REST API (an API key,
 * source "api"), the agent listener (an authtoken,
 * source "agent"), the SSH server (an SSH key, source "agent"). In order:
 *
 * 1. verifyCredential, the one check (one round trip, nothing cached; real use
 *    marks the credential's last use and its owner's last activity);
 * 2. a refusal of a credential that matched (revoked, expired, owner
 *    deactivated or deleted) records ONE `credential.refused` attributed to
 *    its owner, at most REFUSALS_RECORDED_PER_MINUTE per credential; a
 *    malformed or unknown one records nothing (there is nobody to attribute it
 *    to). The refusal carries the id the credential claims, so the caller can
 *    end a session it started (endSessionOfRefusedCredential);
 * 3. the Actor (credentialActor): the owner, person or bot, in the
 *    credential's account, acting through `source` with `credential {id,
 *    display}`, and the credential's ACL (what an agent may bind; bindEndpoint
 *    reads it again in its own transaction).
 *
 * An agent listener authenticating an authtoken calls exactly this:
 * `authenticateCredential({ secret, kinds: ["authtoken"] }, { source: "agent", path, ctx })`.
 */
export async function authenticateCredential(
  presented: PresentedCredential,
  opts: { source: ActorSource; path: string; ctx: RequestContext; now?: Date },
): Promise<CredentialAdmission> {
  const verified = await verifyCredential(presented, { ip: opts.ctx.ip, now: opts.now });
  if (!verified.ok) {
    if (verified.principal && verified.credential && RECORDED.has(verified.reason)) {
      const { principal, credential } = verified;
      await recordCredentialRefusal({ accountId: credential.accountId, principalId: principal.id, credential, reason: verified.reason }, opts);
    }
    return { ok: false, reason: verified.reason, message: verified.message, credentialId: verified.credentialId };
  }
  return { ok: true, actor: credentialActor(verified, opts.source), acl: verified.credential.acl };
}

/**
 * THE Actor of a verified credential: its owner in the credential's account.
 * A person acts with their role there; a bot acts as a member, so every
 * domain rule that keeps members from managing bots and people, or others'
 * credentials, holds for it. The credential is kept on every event it causes.
 */
export function credentialActor(verified: Extract<CredentialVerification, { ok: true }>, source: ActorSource): CredentialActor {
  const { principal, credential, account } = verified;
  return {
    principal: { id: principal.id, name: principal.name, kind: principal.kind },
    account,
    // verifyCredential only admits a person active in the account, so the role is there.
    role: principal.kind === "person" ? (principal.role ?? "member") : "member",
    source,
    credential: { id: credential.id, display: credential.display },
  };
}
