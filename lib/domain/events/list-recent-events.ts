import { db } from "@/lib/db/client";

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
export async function listRecentEvents(accountId: string, limit = 10): Promise<EventView[]> {
  const rows = await db().event.findMany({
    where: { accountId },
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
