import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { canManage, mayIssueCredentialFor } from "@/lib/domain/permissions";
import { activeMemberWhere } from "@/lib/domain/principals/active-in-account";

/** Someone the actor may create a credential for, as the owner picker on /credentials lists them. */
export interface CredentialOwnerOption {
  id: string;
  name: string;
  kind: "person" | "bot";
}

/** How many bots and how many people the picker lists (the lists' page limit). */
export const OWNER_OPTIONS_MAX = 100;

/**
 * Who the actor can create a credential for on /credentials: the account's
 * bots (deactivated ones marked) and the active people the one rule lets them
 * (mayIssueCredentialFor: an admin is not offered admins and owners), by name,
 * the first OWNER_OPTIONS_MAX of each; nobody for a member (only admins reach
 * that page). Two statements reading names only: the picker needs no counts
 * nor usage (issue 20: listBots and listPeople did five more for it).
 * createCredential decides again on the server.
 */
export async function listOwnerOptions(actor: Actor): Promise<CredentialOwnerOption[]> {
  if (!canManage(actor)) return [];
  const accountId = actor.account.id;
  const [bots, people] = await Promise.all([
    db().principal.findMany({
      where: { accountId, kind: "bot", deletedAt: null },
      orderBy: [{ nameKey: "asc" }, { id: "asc" }],
      take: OWNER_OPTIONS_MAX,
      select: { id: true, name: true, status: true },
    }),
    db().membership.findMany({
      where: { accountId, AND: [activeMemberWhere(accountId)] },
      orderBy: [{ principal: { name: "asc" } }, { principalId: "asc" }],
      take: OWNER_OPTIONS_MAX,
      select: { role: true, principal: { select: { id: true, name: true, email: true } } },
    }),
  ]);
  return [
    ...bots.map((b) => ({ id: b.id, name: b.status === "active" ? b.name : `${b.name} (deactivated)`, kind: "bot" as const })),
    ...people
      .filter((m) => mayIssueCredentialFor(actor, { id: m.principal.id, kind: "person", role: m.role }))
      .map((m) => ({ id: m.principal.id, name: `${m.principal.name} (${m.principal.email ?? ""})`, kind: "person" as const })),
  ];
}
