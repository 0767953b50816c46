import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { newId } from "@/lib/ids";
import { GRACE_CHOICES, rotateCredentialSchema } from "@/lib/validation/credentials";
import { credentialSubjectName, credentialViewSelect, toCredentialView, type CredentialView } from "./credential-view";
import { manageableCredentials } from "./find-manageable";
import { lockCredentialOwner } from "./lock-owner";
import { issueSecret, maskedSecret } from "./token-format";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { mayIssueCredentialFor, NOT_OWNER_CREDENTIALS } from "@/lib/domain/permissions";

export const ROTATE_EXPIRED = "This credential has expired, so it can't be rotated. Create a new one instead.";
export const ROTATE_OWNER_INACTIVE = "This credential's owner is deactivated or no longer in this account, so it can't be rotated.";

const notFound = () => fail("not_found", "Credential not found");

/**
 * Rotates an authtoken or API key without downtime: issues a new credential
 * with the same owner, description, metadata, ACL and EXPIRY (rotation never
 * extends a credential's life), linked to the old one, and makes the old one
 * expire after the grace period (default 24 h, never later than it already
 * would) so both work while an integration switches. Revoked and expired
 * credentials cannot be rotated, by admins or by members on their own keys.
 * Locks the owner, then the old credential, so a concurrent revocation or bot
 * deletion either wins (and this refuses) or waits. The new secret is returned
 * ONCE. Records `credential.rotated` in the same transaction.
 */
export async function rotateCredential(
  actor: Actor,
  input: unknown,
  ctx: RequestContext,
): Promise<Result<{ credential: CredentialView; token: string; previous: { id: string; expiresAt: Date } }>> {
  const parsed = rotateCredentialSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose a grace period.", fieldErrorsOf(parsed.error));
  const { id, grace } = parsed.data;
  return actorTransaction(actor, async (tx) => {
    // The owner never changes (a trigger pins it): read it, lock it, then lock the credential (the order deletion uses).
    const seen = await tx.credential.findFirst({ where: manageableCredentials(actor, [id]), select: { ownerId: true, kind: true } });
    if (!seen) return notFound();
    if (seen.kind === "ssh_key") {
      return fail("not_rotatable", "SSH keys are rotated by adding the new public key, then revoking the old one.");
    }
    const owner = await lockCredentialOwner(tx, actor.account.id, seen.ownerId);
    if (!owner) return fail("owner_inactive", ROTATE_OWNER_INACTIVE);
    // A new secret acts as its owner: the same rule as creating one.
    if (!mayIssueCredentialFor(actor, owner)) return fail("not_owner", NOT_OWNER_CREDENTIALS);
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM credentials WHERE id = ${id} AND revoked_at IS NULL FOR UPDATE`;
    if (locked.length === 0) return notFound();
    const old = await tx.credential.findUniqueOrThrow({ where: { id }, select: { ...credentialViewSelect, ownerId: true } });
    if (old.kind === "ssh_key") throw new Error("unreachable: kind never changes");

    const now = new Date();
    if (old.expiresAt && old.expiresAt <= now) return fail("expired", ROTATE_EXPIRED);
    const graceEnd = new Date(now.getTime() + GRACE_CHOICES[grace] * 1000);
    const previousExpiry = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
    const newIdValue = newId(old.kind === "authtoken" ? "authtoken" : "apiKey");
    const secret = issueSecret(old.kind, newIdValue);
    const row = await tx.credential.create({
      data: {
        id: newIdValue,
        accountId: actor.account.id,
        kind: old.kind,
        ownerId: old.ownerId,
        description: old.description,
        metadata: old.metadata,
        acl: old.acl,
        secretHash: secret.hash,
        secretHint: secret.hint,
        expiresAt: old.expiresAt,
        rotatedFromId: old.id,
        createdById: actor.principal.id,
      },
      select: credentialViewSelect,
    });
    await tx.credential.update({ where: { id: old.id }, data: { expiresAt: previousExpiry } });
    const view = toCredentialView(row, now);
    await recordActorEvent(tx, actor, ctx, {
      type: "credential.rotated",
      subject: { id: row.id, name: credentialSubjectName(view) },
      botId: view.owner.kind === "bot" ? view.owner.id : null,
      data: {
        kind: old.kind,
        owner: view.owner,
        from: old.id,
        to: row.id,
        // As tables show them (bdak_…ZCZG), for the feed's summary line.
        fromDisplay: maskedSecret(old.kind, old.secretHint),
        toDisplay: view.display,
        oldExpiresAt: previousExpiry.toISOString(),
        expiresAt: old.expiresAt?.toISOString() ?? null,
      },
    });
    return ok({ credential: view, token: secret.token, previous: { id: old.id, expiresAt: previousExpiry } });
  });
}
