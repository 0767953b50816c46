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

export const NOT_OWNER_CREDENTIALS = "Only an owner can create a credential owned by an admin or an owner: it would act as them";

/**
 * THE rule of whose credential an actor may create, or rotate (either gives
 * a new secret that acts as its owner), from the dashboard and the API alike:
 * its own; a bot's, as an owner or admin; another person's, as someone who may
 * already act on that person (reset their password, deactivate or remove
 * them): an owner for anyone, an admin for members, never for a higher or
 * equal rank. `owner.role` is the person's role in the actor's account.
 */
export function mayIssueCredentialFor(actor: Pick<Actor, "principal" | "role">, owner: { id: string; kind: "person" | "bot"; role: Role | null }): boolean {
  if (owner.id === actor.principal.id) return true;
  if (!canManage(actor)) return false;
  if (owner.kind === "bot" || actor.role === "owner") return true;
  return roleRank(actor.role) > roleRank(owner.role);
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

/**
 * Who may stop a tunnel session (the stop API, the Stop button): owners and
 * admins any of the account's; anyone else (a member, a bot's own API key) only
 * the sessions their own credentials started, as they may revoke only their
 * own credentials.
 */
export function mayStopSessionOf(actor: Pick<Actor, "principal" | "role">, principalId: string): boolean {
  return canManage(actor) || principalId === actor.principal.id;
}

export const NOT_ADMIN_EVENT_STREAMS = "You must be an owner or admin to manage event destinations and subscriptions";

/**
 * Who may add, change or remove where the account's events are sent (event
 * destinations and subscriptions), send a test event or redeliver: owners and
 * admins. A destination receives every event it is subscribed to, IPs
 * included, so it is an admin's view of the account.
 */
export function mayManageEventStreams(actor: Pick<Actor, "role">): boolean {
  return canManage(actor);
}
