import type { Actor, RequestContext } from "@/lib/auth/types";
import { db } from "@/lib/db/client";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { newId } from "@/lib/ids";
import { GRACE_CHOICES, rotateCredentialSchema } from "@/lib/validation/credentials";
import { credentialSubjectName, credentialViewSelect, toCredentialView, type CredentialView } from "./credential-view";
import { manageableCredentials } from "./find-manageable";
import { issueSecret } from "./token-format";

/**
 * Rotates an authtoken or API key without downtime: issues a new credential
 * with the same owner, description, metadata, ACL and expiry, linked to the old
 * one, and makes the old one expire after the grace period (default 24 h) so
 * both work while an integration switches. The new secret is returned ONCE.
 * Records `credential.rotated`.
 */
export async function rotateCredential(
  actor: Actor,
  input: unknown,
  ctx: RequestContext,
): Promise<Result<{ credential: CredentialView; token: string; previous: { id: string; expiresAt: Date } }>> {
  const parsed = rotateCredentialSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose a grace period.", fieldErrorsOf(parsed.error));
  const { id, grace } = parsed.data;
  return db().$transaction(async (tx) => {
    const old = await tx.credential.findFirst({ where: manageableCredentials(actor, [id]), select: { ...credentialViewSelect, ownerId: true } });
    if (!old) return fail("not_found", "Credential not found");
    if (old.kind === "ssh_key") {
      return fail("not_rotatable", "SSH keys are rotated by adding the new public key, then revoking the old one.");
    }
    const now = new Date();
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
        expiresAt: old.expiresAt && old.expiresAt > graceEnd ? old.expiresAt : null,
        rotatedFromId: old.id,
        createdById: actor.person.id,
      },
      select: credentialViewSelect,
    });
    await tx.credential.update({ where: { id: old.id }, data: { expiresAt: previousExpiry } });
    const view = toCredentialView(row, now);
    await recordActorEvent(tx, actor, ctx, {
      type: "credential.rotated",
      subject: { id: row.id, name: credentialSubjectName(view) },
      data: { kind: old.kind, owner: view.owner, from: old.id, to: row.id, oldExpiresAt: previousExpiry.toISOString() },
    });
    return ok({ credential: view, token: secret.token, previous: { id: old.id, expiresAt: previousExpiry } });
  });
}
