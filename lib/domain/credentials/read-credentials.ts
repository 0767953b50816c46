import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import { keysetAfter, type KeysetPage, type KeysetQuery } from "@/lib/domain/keyset";
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
 * getCredential), newest first, after the `beforeId` credential in that
 * order: the API's keyset paging, by (created_at, id) along the live-credential
 * index, so a page costs the same at any depth and any size of account.
 */
export async function listCredentialsBefore(
  actor: Actor,
  kind: CredentialKind,
  query: KeysetQuery,
  now = new Date(),
): Promise<KeysetPage<CredentialView>> {
  // mayViewCredentialsOf in SQL: admins every owner's; others their own and bots'.
  const visible = canManage(actor)
    ? Prisma.empty
    : Prisma.sql`AND (c.owner_id = ${actor.principal.id} OR EXISTS (SELECT 1 FROM principals p WHERE p.id = c.owner_id AND p.kind = 'bot'))`;
  const ids = await db().$queryRaw<{ id: string }[]>`
    SELECT c.id FROM credentials c
    WHERE c.account_id = ${actor.account.id} AND c.revoked_at IS NULL AND c.kind = ${kind}::"CredentialKind"
      ${visible}
      ${query.beforeId ? Prisma.sql`AND ${keysetAfter("c", "credentials", query.beforeId)}` : Prisma.empty}
    ORDER BY c.created_at DESC, c.id DESC
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
