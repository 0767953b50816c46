import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { credentialIdsSchema } from "@/lib/validation/credentials";
import { credentialSubjectName, credentialViewSelect, toCredentialView } from "./credential-view";
import { lockPrincipals } from "@/lib/domain/principals/lock-principal";
import { manageableCredentials } from "./find-manageable";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

/**
 * Revokes one or several credentials, all or none: each is refused from the
 * next request on (the one check reads revokedAt), and drops out of lists.
 * Members revoke only their own. An SSH key's fingerprint is freed so the key
 * can be registered again. Records `credential.revoked` per credential, in the
 * same transaction.
 */
export async function revokeCredentials(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ count: number; ownerIds: string[] }>> {
  const parsed = credentialIdsSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Select the credentials to revoke.", fieldErrorsOf(parsed.error));
  const { ids } = parsed.data;
  return actorTransaction(actor, async (tx) => {
    // Owners first, then the credentials, each in id order: the order creation,
    // rotation and bot deletion lock in, so none of them can deadlock with this.
    const owners = await tx.credential.findMany({ where: { id: { in: ids }, accountId: actor.account.id }, select: { ownerId: true }, distinct: ["ownerId"] });
    await lockPrincipals(tx, owners.map((o) => o.ownerId).sort());
    await tx.$queryRaw`SELECT id FROM credentials WHERE id = ANY(${ids}::text[]) AND account_id = ${actor.account.id} ORDER BY id FOR UPDATE`;
    // Read after the locks: a credential revoked or rotated meanwhile is seen as it now is.
    const rows = await tx.credential.findMany({ where: manageableCredentials(actor, ids), select: credentialViewSelect });
    if (rows.length !== ids.length) return fail("not_found", ids.length === 1 ? "Credential not found" : "Credential not found: nothing was revoked");
    const now = new Date();
    await tx.credential.updateMany({ where: { id: { in: ids } }, data: { revokedAt: now } });
    await tx.credential.updateMany({ where: { id: { in: ids }, kind: "ssh_key" }, data: { fingerprint: null } });
    for (const row of rows) {
      const view = toCredentialView(row, now);
      await recordActorEvent(tx, actor, ctx, {
        type: "credential.revoked",
        subject: { id: row.id, name: credentialSubjectName(view) },
        botId: view.owner.kind === "bot" ? view.owner.id : null,
        data: { kind: row.kind, owner: view.owner, before: { revokedAt: null }, after: { revokedAt: now.toISOString() } },
      });
    }
    return ok({ count: rows.length, ownerIds: [...new Set(rows.map((r) => r.owner.id))] });
  });
}
