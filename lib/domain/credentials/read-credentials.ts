import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import type { KeysetPage, KeysetQuery } from "@/lib/domain/keyset";
import { canManage, mayViewCredentialsOf, mayViewIpOf } from "@/lib/domain/permissions";
import { credentialViewSelect, toCredentialView, type CredentialKind, type CredentialView } from "./credential-view";

/**
 * One live credential of the actor's account, of this kind, if the actor may
 * see it (mayViewCredentialsOf: admins any; members and bots their own and
 * bots'). Null for unknown, revoked, another kind's, another account's and
 * hidden ids alike, so none of them can be told apart.
 */
export async function getCredential(actor: Actor, kind: CredentialKind, id: string, now = new Date()): Promise<CredentialView | null> {
  const row = await db().credential.findFirst({ where: { id, kind, accountId: actor.account.id, revokedAt: null }, select: credentialViewSelect });
  if (!row || !mayViewCredentialsOf(actor, row.owner)) return null;
  return toCredentialView(row, now, mayViewIpOf(actor, row.owner.id));
}

/**
 * The live credentials of one kind the actor may see (the same rule as
 * getCredential), newest first, older than `beforeId`: the API's keyset
 * paging. Ids compare byte-wise, the order they sort by creation time in.
 */
export async function listCredentialsBefore(
  actor: Actor,
  kind: CredentialKind,
  query: KeysetQuery,
  now = new Date(),
): Promise<KeysetPage<CredentialView>> {
  const everyone = canManage(actor);
  // mayViewCredentialsOf in SQL: admins every owner's; others their own and bots'.
  const ids = await db().$queryRaw<{ id: string }[]>`
    SELECT c.id FROM credentials c JOIN principals p ON p.id = c.owner_id
    WHERE c.account_id = ${actor.account.id} AND c.kind::text = ${kind} AND c.revoked_at IS NULL
      AND (${everyone} OR c.owner_id = ${actor.principal.id} OR p.kind = 'bot')
      AND (${query.beforeId}::text IS NULL OR c.id COLLATE "C" < ${query.beforeId}::text COLLATE "C")
    ORDER BY c.id COLLATE "C" DESC
    LIMIT ${query.limit + 1}`;
  const page = ids.slice(0, query.limit).map((r) => r.id);
  const rows = page.length ? await db().credential.findMany({ where: { id: { in: page } }, select: credentialViewSelect }) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    rows: page.flatMap((id) => {
      const row = byId.get(id);
      return row && mayViewCredentialsOf(actor, row.owner) ? [toCredentialView(row, now, mayViewIpOf(actor, row.owner.id))] : [];
    }),
    hasMore: ids.length > query.limit,
  };
}
