import type { Role } from "@/lib/db/generated/enums";
import type { Actor } from "@/lib/domain/access/types";
import { fail, type Result } from "./result";

export const NOT_ADMIN_BOTS = "You must be an admin to create, update or delete bots";
export const NOT_ADMIN_PEOPLE = "You must be an admin to add, update or remove people";
export const NOT_ADMIN_CREDENTIAL_LIST = "Only admins can see every credential of the account.";

/**
 * THE ranking of roles, least to most: a role's rank is its place here (1–3),
 * 0 for no role (a bot). The standing check compares ranks in SQL from this
 * same list (roleRankSql in lib/domain/access/actor-transaction.ts).
 */
export const ROLES_BY_RANK: readonly Role[] = ["member", "admin", "owner"];

export function roleRank(role: string | null | undefined): number {
  return ROLES_BY_RANK.indexOf(role as Role) + 1;
}

/** Owners and admins manage an account's bots and people; members only look. */
export function canManage(actor: Pick<Actor, "role">): boolean {
  return roleRank(actor.role) >= roleRank("admin");
}

/** The refusal every bot and people mutation returns to a member, whatever the browser sent. */
export function requireManager(actor: Actor, what: "bots" | "people"): Result<never> | null {
  if (canManage(actor)) return null;
  return fail("not_admin", what === "bots" ? NOT_ADMIN_BOTS : NOT_ADMIN_PEOPLE);
}

/**
 * Whose IP addresses the actor may see (in activity and in a credential's
 * "last used"): admins see everyone's; members only their own. An IP says
 * where a colleague works from; members have no need for that.
 */
export function mayViewIpOf(actor: Actor, principalId: string): boolean {
  return canManage(actor) || principalId === actor.principal.id;
}

/**
 * Whose credentials the actor may see: admins every principal's of the account;
 * members their own and the bots' (read-only: integrations they may rely on),
 * never another person's.
 */
export function mayViewCredentialsOf(actor: Actor, owner: { id: string; kind: "person" | "bot" }): boolean {
  return canManage(actor) || owner.id === actor.principal.id || owner.kind === "bot";
}
