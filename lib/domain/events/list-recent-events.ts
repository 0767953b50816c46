import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";
import { mayViewIpOf } from "@/lib/domain/permissions";

export interface EventView {
  id: string;
  type: string;
  source: string;
  createdAt: Date;
  /** Null when unknown, or when the viewer may not see this principal's IP (see mayViewIpOf). */
  ip: string | null;
  actor: { id: string; name: string; kind: "person" | "bot"; deleted: boolean };
  subjectName: string | null;
}

/**
 * The newest events of the actor's account, with each principal's current
 * name and whether it was deleted. Every member sees what happened; only
 * admins see other principals' IP addresses (members see their own).
 */
export function listRecentEvents(actor: Actor, limit = 10): Promise<EventView[]> {
  return listEvents(actor, { accountId: actor.account.id }, limit);
}

/**
 * The newest events by a principal or about it (its creation, renames, refused
 * sign-ins…), under the same IP rule. Read as two index walks — the newest
 * `limit` by it and the newest `limit` about it — merged, rather than one
 * `principal_id = $1 OR subject_id = $1` that PostgreSQL answers by walking the
 * whole account's events for a quiet principal.
 */
export async function listPrincipalEvents(actor: Actor, principalId: string, limit = 20): Promise<EventView[]> {
  const accountId = actor.account.id;
  const [by, about] = await Promise.all([
    listEvents(actor, { accountId, principalId }, limit),
    listEvents(actor, { accountId, subjectId: principalId }, limit),
  ]);
  const seen = new Set<string>();
  return [...by, ...about]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .filter((e) => !seen.has(e.id) && seen.add(e.id))
    .slice(0, clampLimit(limit));
}

const clampLimit = (limit: number) => Math.min(Math.max(limit, 1), 100);

async function listEvents(actor: Actor, where: Prisma.EventWhereInput, limit: number): Promise<EventView[]> {
  const rows = await db().event.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: clampLimit(limit),
    select: {
      id: true,
      type: true,
      source: true,
      createdAt: true,
      ip: true,
      subjectName: true,
      principal: { select: { id: true, name: true, kind: true, deletedAt: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    source: r.source,
    createdAt: r.createdAt,
    ip: mayViewIpOf(actor, r.principal.id) ? r.ip : null,
    subjectName: r.subjectName,
    actor: { id: r.principal.id, name: r.principal.name, kind: r.principal.kind, deleted: r.principal.deletedAt !== null },
  }));
}
