import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { canManage } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { updateReservedDomainSchema } from "@/lib/validation/domains";
import { NOT_ADMIN_DOMAINS, RESERVED_DOMAIN_NOT_FOUND, reservedDomainViewSelect, type ReservedDomainView } from "./reserved-domain-view";

const FIELDS = ["description", "metadata"] as const;

/**
 * Changes a reservation's description and/or metadata (never its name: release
 * it and reserve another). Owners and admins only; another account's ids are
 * not found, like unknown ones. Fields absent from the input stay as they are.
 * Locks the row, and records `reserved_domain.updated` with the changed fields
 * before and after, in the same transaction; nothing changed, no event.
 */
export async function updateReservedDomain(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<ReservedDomainView>> {
  if (!canManage(actor)) return fail("not_admin", NOT_ADMIN_DOMAINS);
  const parsed = updateReservedDomainSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the domain's fields.", fieldErrorsOf(parsed.error));
  const sent = input as Record<string, unknown>;
  const { id } = parsed.data;
  return actorTransaction(actor, async (tx) => {
    await tx.$queryRaw`SELECT id FROM reserved_domains WHERE id = ${id} AND account_id = ${actor.account.id} FOR UPDATE`;
    const row = await tx.reservedDomain.findFirst({ where: { id, accountId: actor.account.id }, select: reservedDomainViewSelect });
    if (!row) return fail("not_found", RESERVED_DOMAIN_NOT_FOUND);
    const before: Record<string, string> = {};
    const after: Record<string, string> = {};
    for (const field of FIELDS) {
      const value = parsed.data[field];
      // Only the fields the caller sent: a schema default must never overwrite a stored value.
      if (sent[field] === undefined || value === undefined || value === row[field]) continue;
      before[field] = row[field];
      after[field] = value;
    }
    if (Object.keys(after).length === 0) return ok(row);
    const updated = await tx.reservedDomain.update({ where: { id }, data: after, select: reservedDomainViewSelect });
    await recordActorEvent(tx, actor, ctx, { type: "reserved_domain.updated", subject: { id, name: row.domain }, data: { domain: row.domain, before, after } });
    return ok(updated);
  });
}
