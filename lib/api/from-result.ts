import { INVISIBLE_ONLY_MESSAGE } from "@/lib/validation/text";
import { BOT_NAME_EMPTY_MESSAGE, BOT_NAME_TOO_LONG_MESSAGE } from "@/lib/validation/bots";
import type { Result } from "@/lib/domain/result";
import { ApiError, type ApiErrorCode } from "./errors";

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const EMPTY_NAME = new Set(["Enter a name", BOT_NAME_EMPTY_MESSAGE, INVISIBLE_ONLY_MESSAGE]);

/**
 * A domain function's refusal as the API answers it: the same decision the
 * dashboard shows, under ngrok's code where one fits. Validation errors name
 * the first field (snake_case, as the client sent it) in `details.field`.
 */
export function apiErrorOf(result: { code: string; message: string; fieldErrors?: Record<string, string> }, opts: { notAdmin?: ApiErrorCode } = {}): ApiError {
  const [field, fieldMessage] = Object.entries(result.fieldErrors ?? {})[0] ?? [];
  switch (result.code) {
    case "not_admin":
      return new ApiError(opts.notAdmin ?? "ERR_NGROK_4111", result.message);
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
    // The agent endpoints' refusals (lib/domain/agent-sessions).
    case "bind_refused":
      return new ApiError("ERR_NGROK_308", result.message);
    case "session_not_found":
      return new ApiError("ERR_BOTDESK_404", result.message);
    case "session_ended":
      return new ApiError("ERR_BOTDESK_410", result.message);
    // The hostname rules of a bind (lib/domain/domains/may-bind-hostname.ts).
    case "hostname_not_reserved":
      return new ApiError("ERR_NGROK_319", result.message);
    case "hostname_reserved_elsewhere":
      return new ApiError("ERR_NGROK_320", result.message);
    case "endpoint_online":
      return new ApiError("ERR_NGROK_334", result.message);
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
  }
  if (field && fieldMessage) {
    if (field === "name" && EMPTY_NAME.has(fieldMessage)) return new ApiError("ERR_NGROK_4109", `name: ${fieldMessage}`, { field: "name" });
    if (field === "name" && fieldMessage === BOT_NAME_TOO_LONG_MESSAGE) return new ApiError("ERR_NGROK_4110", `name: ${fieldMessage}`, { field: "name" });
    const name = snake(field);
    return new ApiError("ERR_BOTDESK_400", `${name}: ${fieldMessage}`, { field: name });
  }
  if (result.code === "not_found") return new ApiError("ERR_BOTDESK_404", result.message);
  return new ApiError("ERR_BOTDESK_400", result.message);
}

/** The data of a successful Result, or throws its ApiError (answered by apiRoute, for API and agent routes alike). */
export function unwrap<T>(result: Result<T>, opts: { notAdmin?: ApiErrorCode } = {}): T {
  if (!result.ok) throw apiErrorOf(result, opts);
  return result.data;
}
