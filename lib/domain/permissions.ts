import type { Actor } from "@/lib/auth/types";
import { fail, type Result } from "./result";

export const NOT_ADMIN_BOTS = "You must be an admin to create, update or delete bots";
export const NOT_ADMIN_PEOPLE = "You must be an admin to add, update or remove people";

/** Owners and admins manage an account's bots and people; members only look. */
export function canManage(actor: Actor): boolean {
  return actor.role === "owner" || actor.role === "admin";
}

/** The refusal every bot and people mutation returns to a member, whatever the browser sent. */
export function requireManager(actor: Actor, what: "bots" | "people"): Result<never> | null {
  if (canManage(actor)) return null;
  return fail("not_admin", what === "bots" ? NOT_ADMIN_BOTS : NOT_ADMIN_PEOPLE);
}
