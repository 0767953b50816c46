import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";

export interface PrincipalOption {
  id: string;
  name: string;
  kind: "person" | "bot";
  deleted: boolean;
}

/** How many bots the filters offer; others are reached from their page or a row's link (the URL takes any id). */
export const BOT_OPTIONS_MAX = 300;

/**
 * Who the activity filters offer: the account's people (every membership,
 * deactivated too) and its bots, deleted ones included, by name — the most
 * recently active BOT_OPTIONS_MAX bots when there are more. Every member may
 * filter by anyone: everyone in the account sees every event.
 */
export async function listPrincipalOptions(actor: Actor): Promise<{ people: PrincipalOption[]; bots: PrincipalOption[]; moreBots: boolean }> {
  const accountId = actor.account.id;
  const [people, bots] = await Promise.all([
    db().membership.findMany({ where: { accountId }, select: { principal: { select: { id: true, name: true } } } }),
    db().principal.findMany({
      where: { accountId, kind: "bot" },
      select: { id: true, name: true, deletedAt: true },
      orderBy: [{ lastActivityAt: { sort: "desc", nulls: "last" } }, { createdAt: "desc" }],
      take: BOT_OPTIONS_MAX + 1,
    }),
  ]);
  const byName = (a: PrincipalOption, b: PrincipalOption) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
  return {
    people: people.map((m) => ({ id: m.principal.id, name: m.principal.name, kind: "person" as const, deleted: false })).sort(byName),
    bots: bots.slice(0, BOT_OPTIONS_MAX).map((b) => ({ id: b.id, name: b.name, kind: "bot" as const, deleted: b.deletedAt !== null })).sort(byName),
    moreBots: bots.length > BOT_OPTIONS_MAX,
  };
}
