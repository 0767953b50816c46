import type { Role } from "@/lib/db/generated/enums";

/** Every way a principal can try to get into the dashboard. */
export type SignInPath = "password" | "credential-as-password" | "oidc" | "github" | "session";

/** Where a request came from, for events and rate limits (built from HTTP headers by lib/server/request-context.ts). */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}

/** The signed-in person and the account they are working in, read fresh from the database. */
export interface Actor {
  person: { id: string; name: string; email: string };
  account: { id: string; name: string; seatLimit: number };
  role: Role;
  /** Other accounts this person may switch to. */
  accounts: { id: string; name: string }[];
}

export const BOT_REFUSAL_MESSAGE = "Bot users cannot sign in to the dashboard";

export type SignInRefusal =
  | { reason: "bot"; message: typeof BOT_REFUSAL_MESSAGE }
  | { reason: "invalid"; message: string }
  | { reason: "deactivated"; message: string }
  | { reason: "no_account"; message: string }
  | { reason: "ended"; message: string }
  | { reason: "unavailable"; message: string }
  | { reason: "rate_limited"; message: string; retryAfterSeconds: number };

export type RefusalReason = SignInRefusal["reason"];

/** The answer of every admission rule: the admitted value, or why not. */
export type Admission<T> = { ok: true; value: T } | { ok: false; refusal: SignInRefusal };
