import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { canManage } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { reservedDomainIdSchema } from "@/lib/validation/domains";
import { lockName } from "./lock-names";
import { NOT_ADMIN_DOMAINS, RESERVED_DOMAIN_NOT_FOUND } from "./reserved-domain-view";

/**
 * Releases (deletes) a reservation: from then on the account's agents may no
 * longer bind new hostnames under it, and another account may reserve it.
 * Endpoints already online under it stay online until their sessions end (as
 * with ngrok). Owners and admins only; another account's ids are not found.
 * Takes the name's lock (lockName) so a bind or a reservation deciding about
 * the name meanwhile sees it either reserved or released, never half; records
 * `reserved_domain.deleted` in the same transaction.
 */
export async function deleteReservedDomain(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ id: string; domain: string }>> {
  if (!canManage(actor)) return fail("not_admin", NOT_ADMIN_DOMAINS);
  const parsed = reservedDomainIdSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Choose a reserved domain.", fieldErrorsOf(parsed.error));
  const { id } = parsed.data;
  return actorTransaction(actor, async (tx) => {
    const found = await tx.reservedDomain.findFirst({ where: { id, accountId: actor.account.id }, select: { zoneKey: true } });
    if (!found) return fail("not_found", RESERVED_DOMAIN_NOT_FOUND);
    await lockName(tx, found.zoneKey);
    const [row] = await tx.$queryRaw<{ domain: string; description: string; metadata: string; region: string | null }[]>`
      DELETE FROM reserved_domains WHERE id = ${id} AND account_id = ${actor.account.id}
      RETURNING domain, description, metadata, region`;
    // Released by someone else meanwhile.
    if (!row) return fail("not_found", RESERVED_DOMAIN_NOT_FOUND);
    await recordActorEvent(tx, actor, ctx, { type: "reserved_domain.deleted", subject: { id, name: row.domain }, data: { before: row } });
    return ok({ id, domain: row.domain });
  });
}
