import type { CredentialRefusalReason } from "@/lib/domain/credentials/verify-credential";

/**
 * Every error code the REST API answers with, its HTTP status and what it
 * means. ngrok's code strings where ngrok has one for the same situation (so a
 * program written for ngrok's API handles them as it already does), Botdesk's
 * own `ERR_BOTDESK_…` codes elsewhere. docs/api.md's table is this one.
 */
export const API_ERRORS = {
  ERR_NGROK_107: { status: 401, meaning: "The API key is malformed, or well formed but unknown (never issued, or deleted)." },
  ERR_NGROK_300: { status: 401, meaning: "The API key has been revoked." },
  ERR_NGROK_636: { status: 403, meaning: "The API key's owner is deactivated in the account (a deactivated bot, a deactivated or removed person)." },
  ERR_BOTDESK_301: { status: 401, meaning: "The API key has expired." },
  ERR_BOTDESK_302: { status: 401, meaning: "The API key's owner (a bot) has been deleted." },
  ERR_BOTDESK_100: { status: 401, meaning: "No API key: send `Authorization: Bearer <API key>`." },
  ERR_BOTDESK_101: { status: 400, meaning: "Unsupported `Ngrok-Version` (only 2 is supported; it may be left out)." },
  ERR_BOTDESK_400: { status: 400, meaning: "Invalid input; `details.field` names the field and `msg` says what is wrong." },
  ERR_BOTDESK_413: { status: 413, meaning: "The request body is larger than 64 KiB." },
  ERR_BOTDESK_403: { status: 403, meaning: "A browser page of another site sent this write (its `Origin` is not this server's); programs send no `Origin`." },
  ERR_NGROK_4109: { status: 400, meaning: "The bot's name is empty." },
  ERR_NGROK_4110: { status: 400, meaning: "The bot's name is longer than 255 bytes." },
  ERR_NGROK_4111: { status: 403, meaning: "You must be an admin to create, update or delete bots (a member's or a bot's key)." },
  ERR_NGROK_4112: { status: 409, meaning: "Another bot of the account has this name, ignoring case and look-alike characters." },
  ERR_BOTDESK_4113: {
    status: 403,
    meaning: "You may not create a credential owned by this principal: members' and bots' keys only for themselves, admins' keys also for bots and members, owners' keys for anyone.",
  },
  ERR_BOTDESK_409: { status: 409, meaning: "This SSH public key is already registered in the account." },
  ERR_BOTDESK_4114: { status: 403, meaning: "You must be an owner or admin to reserve, update or release domains (a member's or a bot's key)." },
  ERR_BOTDESK_4115: { status: 403, meaning: "You must be an owner or admin to see or manage event destinations and subscriptions (a member's or a bot's key)." },
  ERR_NGROK_413: { status: 409, meaning: "This domain is already reserved for your account." },
  ERR_NGROK_414: { status: 409, meaning: "This domain is already reserved for another account: the same name, or a name or wildcard above it, or a name under it." },
  ERR_NGROK_417: { status: 409, meaning: "This wildcard domain would conflict with a domain reserved for another account (a name under it, or one above it)." },
  ERR_NGROK_430: { status: 409, meaning: "Another account has an endpoint online on this domain (such as a random name Botdesk handed out): a domain in use can't be reserved." },
  ERR_NGROK_404: { status: 400, meaning: "The server's tunnel domain, or a name above it, can't be reserved: Botdesk hands out random names there. Reserve a name under it." },
  ERR_NGROK_416: { status: 400, meaning: "A wildcard of the server's tunnel domain (`*.<tunnel domain>`) can't be reserved." },
  ERR_BOTDESK_404: { status: 404, meaning: "No such resource in the key's account (unknown ids and other accounts' ids alike), or no such API route." },
  ERR_BOTDESK_405: { status: 405, meaning: "The route exists but not with this HTTP method." },
  ERR_BOTDESK_429: { status: 429, meaning: "Too many requests; `Retry-After` says when to try again." },
  ERR_BOTDESK_500: { status: 500, meaning: "Botdesk failed unexpectedly; the server log has the details." },
  ERR_BOTDESK_503: { status: 503, meaning: "Botdesk cannot reach its database right now; try again shortly." },
} as const satisfies Record<string, { status: number; meaning: string }>;

/** A code the REST API answers with. */
export type ApiErrorCode = keyof typeof API_ERRORS;

/** An error answered as `{error_code, status_code, msg, details: {operation_id, …}}` by the REST API. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    msg: string,
    readonly details: Record<string, string> = {},
  ) {
    super(msg);
    this.status = API_ERRORS[code].status;
  }
}

/** How each refusal of a presented key is answered. */
export const REFUSAL_CODES: Record<CredentialRefusalReason, ApiErrorCode> = {
  malformed: "ERR_NGROK_107",
  unknown: "ERR_NGROK_107",
  revoked: "ERR_NGROK_300",
  owner_deactivated: "ERR_NGROK_636",
  expired: "ERR_BOTDESK_301",
  owner_deleted: "ERR_BOTDESK_302",
};

function markdown(table: Record<string, { status: number; meaning: string }>): string {
  return [
    "| code | HTTP | meaning |",
    "|---|---|---|",
    ...Object.entries(table).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.meaning} |`),
  ].join("\n");
}

/** docs/api.md's table of the REST API's error codes. */
export const apiErrorsMarkdown = () => markdown(API_ERRORS);

/**
 * What a JSON 404 under /api or /agent says (the catch-all routes and proxy.ts's answer to a path
 * that does not decode). Agents have no HTTP routes: ngrok's agents speak ngrok's own protocol to
 * the agent listener, so an /agent path says where to go instead.
 */
export function notFoundMessage(method: string, path: string): string {
  const shown = `${method} ${path.slice(0, 200)}`;
  return /^\/agent(\/|$)/.test(path)
    ? `No agent route ${shown}: agents connect with ngrok's agent protocol to the agent listener (BOTDESK_AGENT_PORT, see docs/agents.md), not over HTTP.`
    : `No API route ${shown}.`;
}

/** What a 503 asks clients to wait before trying again: outages seen so far end within seconds (a restart, a failover). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * `{error_code, status_code, msg, details: {operation_id, …}}`, ngrok's error shape: every error
 * the REST API answers, from its wrapper (route.ts) and from proxy.ts
 * (a body over the limit). No imports beyond this file, so the proxy can use it.
 */
export function errorResponse(error: ApiError, operationId: string): Response {
  const headers: Record<string, string> = {};
  if (error.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="botdesk"';
  // The database is away: a client (ngrok's libraries) may retry, after a short pause.
  if (error.status === 503) headers["Retry-After"] = String(DATABASE_RETRY_AFTER_SECONDS);
  return Response.json(
    { error_code: error.code, status_code: error.status, msg: error.message, details: { operation_id: operationId, ...error.details } },
    { status: error.status, headers },
  );
}
