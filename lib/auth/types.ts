import type { Role } from "@/lib/db/generated/enums";

export const BOT_REFUSAL_MESSAGE = "Bot users cannot sign in to the dashboard";

/** Every way a principal can try to get into the dashboard. */
export type SignInPath = "password" | "credential-as-password" | "oidc" | "github" | "session";

export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}

export type SignInRefusal =
  | { reason: "bot"; message: typeof BOT_REFUSAL_MESSAGE }
  | { reason: "invalid"; message: string }
  | { reason: "deactivated"; message: string }
  | { reason: "no_account"; message: string }
  | { reason: "ended"; message: string }
  | { reason: "unavailable"; message: string }
  | { reason: "rate_limited"; message: string; retryAfterSeconds: number };

export type RefusalReason = SignInRefusal["reason"];

/** The signed-in person and the account they are working in, read fresh from the database. */
export interface Actor {
  person: { id: string; name: string; email: string };
  account: { id: string; name: string; seatLimit: number };
  role: Role;
  /** Other accounts this person may switch to. */
  accounts: { id: string; name: string }[];
}

export const REFUSAL_MESSAGES: Record<Exclude<RefusalReason, "rate_limited">, string> = {
  bot: BOT_REFUSAL_MESSAGE,
  invalid: "Wrong email or password.",
  deactivated: "Your user has been deactivated. Ask an account admin to reactivate you.",
  no_account: "You are not a member of any active account. Ask an account admin to add you.",
  ended: "Your session has ended. Sign in again.",
  unavailable: "Botdesk cannot reach its database right now, so nobody can sign in. Try again in a moment.",
};

export function rateLimitedMessage(retryAfterSeconds: number): string {
  return `Too many sign-in attempts. Try again in ${retryAfterSeconds} s.`;
}

/** The message for a refusal code carried by Auth.js (`reason` or `reason:retryAfterSeconds`). */
export function messageForRefusalCode(code: string | null | undefined): string | null {
  if (!code) return null;
  const [reason, seconds] = code.split(":");
  if (reason === "rate_limited") return rateLimitedMessage(Number(seconds) || 60);
  if (reason && reason in REFUSAL_MESSAGES) return REFUSAL_MESSAGES[reason as keyof typeof REFUSAL_MESSAGES];
  return null;
}
