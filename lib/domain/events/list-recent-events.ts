import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";

export interface EventView {
  id: string;
  type: string;
  source: string;
  createdAt: Date;
  ip: string | null;
  actor: { id: string; name: string; kind: "person" | "bot"; deleted: boolean };
  subjectName: string | null;
}

/** The newest events of an account, with each actor's current name and whether it was deleted. */
export function listRecentEvents(accountId: string, limit = 10): Promise<EventView[]> {
  return listEvents({ accountId }, limit);
}

/** The newest events by a principal or about it (its creation, renames, refused sign-ins…). */
export function listPrincipalEvents(accountId: string, principalId: string, limit = 20): Promise<EventView[]> {
  return listEvents({ accountId, OR: [{ principalId }, { subjectId: principalId }] }, limit);
}

async function listEvents(where: Prisma.EventWhereInput, limit: number): Promise<EventView[]> {
  const rows = await db().event.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(limit, 1), 100),
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
    ip: r.ip,
    subjectName: r.subjectName,
    actor: { id: r.principal.id, name: r.principal.name, kind: r.principal.kind, deleted: r.principal.deletedAt !== null },
  }));
}
