/** A row of the people table (a membership of this account). */
export interface PersonRow {
  id: string;
  name: string;
  email: string;
  role: "owner" | "admin" | "member";
  /** Active only when both the person and their membership here are active. */
  active: boolean;
  lastSignInAt: Date | null;
  /** Their last recorded action in any account (sign-ins, changes, accepted credential use); refusals never count. */
  lastActivityAt: Date | null;
  /** Whether they have a second factor for password sign-in (never anything of it). */
  twoFactor: boolean;
}
