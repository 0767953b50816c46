import type { Role } from "@/lib/db/generated/enums";

/** Every way a principal can try to get into the dashboard. */
export type SignInPath = "password" | "credential-as-password" | "second-factor" | "oidc" | "github" | "session";

/** How a session was signed in (kept in it): only password sessions are asked for Botdesk's own second factor. */
export type SignInMethod = "password" | "oidc" | "github";

/** Where a request came from, for events and rate limits (built from HTTP headers by lib/server/request-context.ts). */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
}

/** Where an action came from: the dashboard (a signed-in person), the REST API (an API key) or an agent (an authtoken or SSH key). */
export type ActorSource = "dashboard" | "api" | "agent";

/**
 * Who is acting, in which account, read fresh from the database: a signed-in
 * person in the dashboard, or the owner (person or bot) of a credential
 * presented to the API or by an agent. Every domain function takes this, so a
 * rule is written once for every way in.
 */
export interface Actor {
  principal: { id: string; name: string; kind: "person" | "bot" };
  account: { id: string; name: string; seatLimit: number };
  /** A bot acts as a member: it never manages bots or people, and manages only its own credentials. */
  role: Role;
  source: ActorSource;
  /** The credential presented (API and agents), kept on every event it causes; null in the dashboard. */
  credential: { id: string; display: string } | null;
}

/** An actor that presented a credential (the API, agents, SSH): authenticateCredential builds it. */
export type CredentialActor = Actor & { credential: { id: string; display: string } };

/** The signed-in person in the dashboard. */
export interface PersonActor extends Actor {
  principal: { id: string; name: string; kind: "person"; email: string };
  /** Other accounts this person may switch to. */
  accounts: { id: string; name: string }[];
  /**
   * An admin reset this person's password: until they choose a new one, the
   * dashboard offers them nothing else (requireActor refuses every page and
   * action; see lib/domain/people/reset-password.ts).
   */
  mustChangePassword: boolean;
  /**
   * An account of theirs requires two-factor sign-in, they have none yet and
   * signed in with a password: until they enrol, the dashboard offers them
   * nothing else (requireActor; see lib/domain/two-factor/).
   */
  mustEnrolTwoFactor: boolean;
}

export const BOT_REFUSAL_MESSAGE = "Bot users cannot sign in to the dashboard";

export type SignInRefusal =
  | { reason: "bot"; message: typeof BOT_REFUSAL_MESSAGE }
  | { reason: "invalid"; message: string }
  | { reason: "invalid_email"; message: string }
  | { reason: "deactivated"; message: string }
  | { reason: "no_account"; message: string }
  | { reason: "ended"; message: string }
  | { reason: "unavailable"; message: string }
  | { reason: "rate_limited"; message: string; retryAfterSeconds: number }
  /** The password was right; a second factor is asked next, with this pending sign-in's token (kept in an httpOnly cookie). */
  | { reason: "second_factor"; message: string; pending: string }
  | { reason: "wrong_code"; message: string }
  | { reason: "sign_in_expired"; message: string };

export type RefusalReason = SignInRefusal["reason"];

/** The answer of every admission rule: the admitted value, or why not. */
export type Admission<T> = { ok: true; value: T } | { ok: false; refusal: SignInRefusal };
