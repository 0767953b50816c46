import type { Result, ResultCode } from "@/lib/domain/result";
import { ApiError, type ApiErrorCode } from "./errors";

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

type Refusal = { code: ResultCode; message: string; fieldErrors?: Record<string, string> };

/**
 * A domain function's refusal as the API answers it: the same decision the
 * dashboard shows, under ngrok's code where one fits. One case per ResultCode
 * (a code without a case does not compile), chosen by the code alone, never
 * by the message. Validation errors name the first field (snake_case, as the
 * client sent it) in `details.field`. `forbidden` is the route's code for "you
 * may not" (not_admin, not_owner): ngrok's ERR_NGROK_4111 for bots by default.
 */
export function apiErrorOf(result: Refusal, opts: { forbidden?: ApiErrorCode } = {}): ApiError {
  const [field, fieldMessage] = Object.entries(result.fieldErrors ?? {})[0] ?? [];
  /** A 400 naming the first invalid field, or saying what is wrong. */
  const invalid = () => (field && fieldMessage ? new ApiError("ERR_BOTDESK_400", `${snake(field)}: ${fieldMessage}`, { field: snake(field) }) : new ApiError("ERR_BOTDESK_400", result.message));
  const code = result.code;
  switch (code) {
    case "not_admin":
    case "not_owner":
      return new ApiError(opts.forbidden ?? "ERR_NGROK_4111", result.message);
    case "bot_name_empty":
      return new ApiError("ERR_NGROK_4109", `name: ${result.fieldErrors?.name ?? result.message}`, { field: "name" });
    case "bot_name_too_long":
      return new ApiError("ERR_NGROK_4110", `name: ${result.fieldErrors?.name ?? result.message}`, { field: "name" });
    case "bot_name_taken":
      return new ApiError("ERR_NGROK_4112", result.message, { field: "name" });
    case "duplicate_key":
      return new ApiError("ERR_BOTDESK_409", result.message, { field: "public_key" });
    // The actor lost its standing while its change ran (lib/domain/access/actor-transaction.ts):
    // the answer a request sent a moment later gets from the credential check.
    case "actor_deactivated":
      return new ApiError("ERR_NGROK_636", result.message);
    case "actor_deleted":
      return new ApiError("ERR_BOTDESK_302", result.message);
    // Reserving a domain (lib/domain/domains/reserve-domain.ts).
    case "domain_already_reserved":
      return new ApiError("ERR_NGROK_413", result.message, { field: "domain" });
    case "domain_reserved_elsewhere":
      return new ApiError("ERR_NGROK_414", result.message, { field: "domain" });
    case "wildcard_conflict":
      return new ApiError("ERR_NGROK_417", result.message, { field: "domain" });
    case "domain_in_use":
      return new ApiError("ERR_NGROK_430", result.message, { field: "domain" });
    case "tunnel_domain":
      return new ApiError("ERR_NGROK_404", result.message, { field: "domain" });
    case "tunnel_domain_wildcard":
      return new ApiError("ERR_NGROK_416", result.message, { field: "domain" });
    // An owner that is not found is a field of the request (owner_id); anything else is the resource.
    case "not_found":
      return field ? invalid() : new ApiError("ERR_BOTDESK_404", result.message);
    case "invalid_input":
    case "already_member":
    case "conflict":
    case "self":
    case "bot":
    case "other_accounts":
    case "user_disabled":
    case "last_owner":
    case "seat_limit":
    case "seats_in_use":
    case "expired":
    case "owner_inactive":
    case "not_rotatable":
    case "not_required":
    case "reset_again":
    case "no_credential":
    // Dashboard-only refusals (the first account's setup, two-factor sign-in): no API path returns them.
    case "already_set_up":
    case "link_unknown":
    case "link_expired":
    case "link_used":
    case "link_missing":
    case "link_replaced":
    case "already_enabled":
    case "no_enrolment":
    case "wrong_code":
    case "required":
    case "rate_limited":
    case "not_enrolled":
      return invalid();
    // An agent's own refusals (lib/domain/agent-sessions, the hostname rules of a bind): the agent
    // listener and the SSH server answer them in their protocols (ngrok's ERR_NGROK_308, 399, 319,
    // 320, 334: lib/tunnels/agent/messages.ts); no API route returns them.
    case "bind_refused":
    case "label_refused":
    case "session_not_found":
    case "session_ended":
    case "too_many_sessions":
    case "hostname_not_reserved":
    case "hostname_reserved_elsewhere":
    case "endpoint_online":
    case "invalid_hostname":
    // Never returned by a domain function (performAction and the browser make them).
    case "internal":
    case "unreachable":
    case "no_result":
      return new ApiError("ERR_BOTDESK_500", result.message);
    default: {
      const unmapped: never = code;
      throw new Error(`no API error for result code ${String(unmapped)}`);
    }
  }
}

/** The data of a successful Result, or throws its ApiError (answered by apiRoute). */
export function unwrap<T>(result: Result<T>, opts: { forbidden?: ApiErrorCode } = {}): T {
  if (!result.ok) throw apiErrorOf(result, opts);
  return result.data;
}
