import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { literalContains } from "@/lib/domain/search";

export interface PrincipalOption {
  id: string;
  name: string;
  kind: "person" | "bot";
  deleted: boolean;
}

export interface PrincipalOptions {
  people: PrincipalOption[];
  bots: PrincipalOption[];
  /** Whether the account has people or bots beyond these (then the filter offers a search). */
  more: boolean;
}

/** How many people and how many bots the filters offer on the page; the others are found by name (searchPrincipalOptions). */
export const OPTIONS_MAX = 25;
/** How many of each one search answers. */
export const SEARCH_MAX = 20;
/** The longest search text taken. */
export const SEARCH_MAX_LENGTH = 100;

const byName = (a: PrincipalOption, b: PrincipalOption) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

async function pick(accountId: string, limit: number, q?: string): Promise<{ people: PrincipalOption[]; bots: PrincipalOption[]; more: boolean }> {
  const name = q ? { contains: literalContains(q), mode: "insensitive" as const } : undefined;
  const [people, bots] = await Promise.all([
    db().membership.findMany({
      where: { accountId, ...(name ? { principal: { name } } : {}) },
      select: { principal: { select: { id: true, name: true } } },
      orderBy: [{ principal: { lastActivityAt: { sort: "desc", nulls: "last" } } }, { principalId: "asc" }],
      take: limit + 1,
    }),
    db().principal.findMany({
      where: { accountId, kind: "bot", ...(name ? { name } : {}) },
      select: { id: true, name: true, deletedAt: true },
      orderBy: [{ lastActivityAt: { sort: "desc", nulls: "last" } }, { createdAt: "desc" }],
      take: limit + 1,
    }),
  ]);
  return {
    people: people.slice(0, limit).map((m) => ({ id: m.principal.id, name: m.principal.name, kind: "person" as const, deleted: false })).sort(byName),
    bots: bots.slice(0, limit).map((b) => ({ id: b.id, name: b.name, kind: "bot" as const, deleted: b.deletedAt !== null })).sort(byName),
    more: people.length > limit || bots.length > limit,
  };
}

/**
 * Who the activity filters offer on the page: the account's most recently
 * active OPTIONS_MAX people (every membership, deactivated too) and
 * OPTIONS_MAX bots (deleted ones included), each by name. The rest are found
 * by name with searchPrincipalOptions: what the page sends stays the same
 * size whatever the account's. Every member may filter by anyone: everyone in
 * the account sees every event.
 */
export async function listPrincipalOptions(actor: Actor): Promise<PrincipalOptions> {
  return pick(actor.account.id, OPTIONS_MAX);
}

/**
 * The account's people and bots whose name contains `q` (any case, taken
 * literally), most recently active first, at most SEARCH_MAX of each: the
 * filters' "find by name". An empty or over-long `q` answers as
 * listPrincipalOptions does.
 */
export async function searchPrincipalOptions(actor: Actor, q: string): Promise<PrincipalOptions> {
  const text = q.trim();
  if (!text || text.length > SEARCH_MAX_LENGTH) return listPrincipalOptions(actor);
  return pick(actor.account.id, SEARCH_MAX, text);
}
