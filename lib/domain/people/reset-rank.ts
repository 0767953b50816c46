import type { Role } from "@/lib/db/generated/enums";
import { fail, type Result } from "@/lib/domain/result";

/**
 * Whose sign-in (password, second factor) an admin may reset: an owner
 * anyone's, an admin a member's only, so nobody takes over a person of their
 * own rank or above. Nobody resets their own here (Settings has their own
 * changes, which ask for proof).
 */
export function refuseResetByRank(actor: { role: Role; principal: { id: string } }, target: { id: string; role: Role }, what: "password" | "two-factor sign-in"): Result<never> | null {
  if (target.id === actor.principal.id) {
    return fail("self", what === "password" ? "You can't reset your own password here: change it under Settings." : "You can't reset your own two-factor sign-in here: change it under Settings.");
  }
  if (actor.role === "owner") return null;
  if (target.role === "owner") return fail("not_owner", `Only an owner can reset an owner's ${what}.`);
  if (target.role !== "member") return fail("not_owner", `Only an owner can reset an admin's ${what}.`);
  return null;
}
