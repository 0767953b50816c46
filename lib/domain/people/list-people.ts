import { db } from "@/lib/db/client";
import { pageWindow, type Page } from "@/lib/domain/paging";
import { activeMemberWhere, isActiveInAccount } from "@/lib/domain/principals/active-in-account";
import { literalContains } from "@/lib/domain/search";
import type { Prisma } from "@/lib/db/generated/client";
import type { ListPeopleQuery } from "@/lib/validation/people-admin";
import type { PersonRow } from "./types";

/**
 * One page of the account's people (its memberships), filtered, sorted and
 * paginated in the database. "Active" is the one active-principal rule: the
 * person and their membership here are both active.
 */
export async function listPeople(accountId: string, query: ListPeopleQuery): Promise<Page<PersonRow>> {
  const active = activeMemberWhere(accountId);
  const filters: Prisma.MembershipWhereInput[] = [];
  if (query.status === "active") filters.push(active);
  if (query.status === "deactivated") filters.push({ NOT: active });
  if (query.q) {
    filters.push({
      principal: { OR: [{ name: { contains: literalContains(query.q), mode: "insensitive" } }, { email: { contains: literalContains(query.q.toLowerCase()) } }] },
    });
  }
  const where: Prisma.MembershipWhereInput = { accountId, AND: filters };
  const dir = query.dir;
  const orderBy: Prisma.MembershipOrderByWithRelationInput[] = [
    query.sort === "email"
      ? { principal: { email: dir } }
      : query.sort === "role"
        ? { role: dir }
        : query.sort === "status"
          ? { status: dir }
          : query.sort === "lastSignIn"
            ? { principal: { lastSignInAt: { sort: dir, nulls: (dir === "desc" ? "last" : "first") as "last" | "first" } } }
            : { principal: { name: dir } },
    { principalId: dir },
  ];
  const read = (skip: number) =>
    db().membership.findMany({
      where,
      orderBy,
      skip,
      take: query.size,
      select: {
        role: true,
        status: true,
        principal: {
          select: { id: true, name: true, email: true, status: true, deletedAt: true, lastSignInAt: true, lastActivityAt: true, twoFactor: { select: { enabledAt: true } } },
        },
      },
    });
  // The count and the asked page at once (issue 20: one round trip, not two in a row); a page past the end (a stale
  // link) shows the last page, read again.
  const [total, asked] = await Promise.all([db().membership.count({ where }), read((query.page - 1) * query.size)]);
  const { page, pageCount, skip } = pageWindow(total, query.page, query.size);
  const rows = page !== query.page && total > 0 ? await read(skip) : asked;
  return {
    rows: rows.map((m) => ({
      id: m.principal.id,
      name: m.principal.name,
      email: m.principal.email ?? "",
      role: m.role,
      active: isActiveInAccount({ ...m.principal, kind: "person", accountId: null, memberships: [{ accountId, status: m.status }] }, accountId),
      lastSignInAt: m.principal.lastSignInAt,
      lastActivityAt: m.principal.lastActivityAt,
      twoFactor: Boolean(m.principal.twoFactor?.enabledAt),
    })),
    total,
    page,
    size: query.size,
    pageCount,
  };
}
