import type { Actor, RequestContext } from "@/lib/domain/access/types";
import type { Prisma } from "@/lib/db/generated/client";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { lockPrincipals } from "@/lib/domain/principals/lock-principal";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { updateCredentialSchema } from "@/lib/validation/credentials";
import { credentialSubjectName, credentialViewSelect, toCredentialView, type CredentialView } from "./credential-view";
import { manageableCredentials } from "./find-manageable";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

const FIELDS = ["description", "metadata", "acl"] as const;
type Field = (typeof FIELDS)[number];

const notFound = () => fail("not_found", "Credential not found");

/**
 * Changes a live credential's description, metadata and/or ACL — never its
 * owner, kind or secret. Fields absent from the input stay as they are. Admins
 * change any credential of the account, members and bots only their own
 * (others are not found, like unknown ids); API keys have no ACL. Takes the
 * owner's row lock, then the credential's (the order revocation and bot
 * deletion use), and records `credential.updated` with the changed fields
 * before and after, in the same transaction; nothing changed, no event.
 */
export async function updateCredential(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<CredentialView>> {
  const parsed = updateCredentialSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  // Only the fields the caller sent: a schema default must never overwrite a stored value.
  const sent = input as Record<string, unknown>;
  const patch: Partial<Record<Field, string | string[]>> = {};
  for (const field of FIELDS) if (sent[field] !== undefined && parsed.data[field] !== undefined) patch[field] = parsed.data[field];
  const { id } = parsed.data;

  return actorTransaction(actor, async (tx) => {
    const found = await tx.credential.findFirst({ where: manageableCredentials(actor, [id]), select: { ownerId: true } });
    if (!found) return notFound();
    await lockPrincipals(tx, [found.ownerId]);
    await tx.$queryRaw`SELECT id FROM credentials WHERE id = ${id} FOR UPDATE`;
    // Read after the locks: revoked or deleted meanwhile is not found.
    const row = await tx.credential.findFirst({ where: manageableCredentials(actor, [id]), select: credentialViewSelect });
    if (!row) return notFound();
    if (patch.acl !== undefined && row.kind === "api_key") return fail("invalid_input", "API keys have no ACL.", { acl: "API keys have no ACL" });

    const before: Prisma.InputJsonObject = {};
    const after: Prisma.InputJsonObject = {};
    const data: Prisma.CredentialUpdateInput = {};
    for (const field of FIELDS) {
      const value = patch[field];
      if (value === undefined || JSON.stringify(value) === JSON.stringify(row[field])) continue;
      (before as Record<string, unknown>)[field] = row[field];
      (after as Record<string, unknown>)[field] = value;
      (data as Record<string, unknown>)[field] = value;
    }
    if (Object.keys(data).length === 0) return ok(toCredentialView(row));
    const updated = await tx.credential.update({ where: { id }, data, select: credentialViewSelect });
    const view = toCredentialView(updated);
    await recordActorEvent(tx, actor, ctx, {
      type: "credential.updated",
      subject: { id, name: credentialSubjectName(view) },
      botId: view.owner.kind === "bot" ? view.owner.id : null,
      data: { kind: view.kind, owner: view.owner, before, after },
    });
    return ok(view);
  });
}
