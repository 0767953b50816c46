/**
 * Every code a refusal carries. Domain functions return these; the API maps
 * each to its public error code exhaustively (lib/api/from-result.ts: a code
 * added here without a mapping there does not compile). Never chosen by, or
 * read from, a message's text.
 */
export type ResultCode =
  // Input and existence.
  | "invalid_input"
  | "not_found"
  | "bot_name_empty"
  | "bot_name_too_long"
  | "bot_name_taken"
  | "duplicate_key"
  | "already_member"
  | "conflict"
  // Who may do what.
  | "not_admin"
  | "not_owner"
  | "self"
  | "bot"
  | "other_accounts"
  | "user_disabled"
  | "last_owner"
  | "seat_limit"
  | "seats_in_use"
  // The actor lost its standing while its change ran (actorTransaction).
  | "actor_deactivated"
  | "actor_deleted"
  // Credentials.
  | "expired"
  | "owner_inactive"
  | "not_rotatable"
  // Passwords.
  | "not_required"
  | "reset_again"
  // Agents.
  | "no_credential"
  | "bind_refused"
  | "label_refused"
  | "session_not_found"
  | "session_ended"
  | "too_many_sessions"
  // The hostname rules of a bind (lib/domain/domains/may-bind-hostname.ts).
  | "invalid_hostname"
  | "hostname_not_reserved"
  | "hostname_reserved_elsewhere"
  | "endpoint_online"
  // Reserving a domain (lib/domain/domains/reserve-domain.ts).
  | "domain_already_reserved"
  | "domain_reserved_elsewhere"
  | "wildcard_conflict"
  | "domain_in_use"
  | "tunnel_domain"
  | "tunnel_domain_wildcard"
  // The first account (lib/domain/setup): dashboard only.
  | "already_set_up"
  | "link_unknown"
  | "link_expired"
  | "link_used"
  | "link_missing"
  | "link_replaced"
  // Two-factor sign-in (lib/domain/two-factor): dashboard only.
  | "already_enabled"
  | "no_enrolment"
  | "wrong_code"
  | "required"
  | "rate_limited"
  | "not_enrolled"
  // Never from a domain function: performAction's answer to an unexpected error, and the browser's
  // when the server cannot be reached or answered nothing.
  | "internal"
  | "unreachable"
  | "no_result";

/** What every domain function and server action returns: typed, never a raw error. */
export type Result<T = undefined> =
  | { ok: true; data: T }
  | { ok: false; code: ResultCode; message: string; fieldErrors?: Record<string, string> };

export const ok = <T>(data: T): Result<T> => ({ ok: true, data });

export const fail = (code: ResultCode, message: string, fieldErrors?: Record<string, string>): Result<never> => ({
  ok: false,
  code,
  message,
  ...(fieldErrors ? { fieldErrors } : {}),
});

/** The first message per field of a zod error, for forms. */
export function fieldErrorsOf(error: { issues: { path: PropertyKey[]; message: string }[] }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    out[key] ??= issue.message;
  }
  return out;
}
