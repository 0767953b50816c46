import { REFUSAL_CODES } from "@/lib/api/errors";
import type { CredentialRefusalReason } from "@/lib/domain/credentials/verify-credential";

/**
 * Every error code the agent endpoints (/agent/v1) answer with, in ngrok's
 * error shape `{error_code, status_code, msg, details: {operation_id}}`:
 * ngrok's codes where ngrok has one (the authtoken refusals are the REST API's,
 * lib/api/errors.ts), Botdesk's own elsewhere. The README's table is this one.
 */
export const AGENT_ERRORS = {
  ERR_NGROK_107: { status: 401, meaning: "The authtoken is malformed, or well formed but unknown (never issued, or deleted)." },
  ERR_NGROK_300: { status: 401, meaning: "The authtoken has been revoked." },
  ERR_NGROK_636: { status: 403, meaning: "The authtoken's owner is deactivated in the account (a deactivated bot, a deactivated or removed person)." },
  ERR_BOTDESK_301: { status: 401, meaning: "The authtoken has expired." },
  ERR_BOTDESK_302: { status: 401, meaning: "The authtoken's owner (a bot) has been deleted." },
  ERR_BOTDESK_100: { status: 401, meaning: "No authtoken: send `Authorization: Bearer <authtoken>`." },
  ERR_NGROK_308: { status: 403, meaning: "The authtoken's ACL does not permit this bind (hostname or label); recorded as `agent.bind_refused`." },
  ERR_BOTDESK_400: { status: 400, meaning: "Invalid input; `details.field` names the field and `msg` says what is wrong." },
  ERR_BOTDESK_404: { status: 404, meaning: "No such session for this authtoken (a session is driven only by the authtoken that started it), or no such route." },
  ERR_BOTDESK_405: { status: 405, meaning: "The route exists but not with this HTTP method." },
  ERR_BOTDESK_410: { status: 410, meaning: "The session has ended (`msg` says why): start a new one." },
  ERR_BOTDESK_413: { status: 413, meaning: "The request body is larger than 64 KiB." },
  ERR_BOTDESK_500: { status: 500, meaning: "Botdesk failed unexpectedly; the server log has the details." },
  ERR_BOTDESK_503: { status: 503, meaning: "Botdesk cannot reach its database right now; try again shortly." },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type AgentErrorCode = keyof typeof AGENT_ERRORS;

/** An error the agent endpoints answer in ngrok's shape. */
export class AgentError extends Error {
  readonly status: number;
  constructor(
    readonly code: AgentErrorCode,
    msg: string,
    readonly details: Record<string, string> = {},
  ) {
    super(msg);
    this.status = AGENT_ERRORS[code].status;
  }
}

/** How each refusal of a presented authtoken is answered: the REST API's codes for the same refusals. */
export function refusalCode(reason: CredentialRefusalReason): AgentErrorCode {
  return REFUSAL_CODES[reason] as AgentErrorCode;
}

/** The README's table of agent error codes. */
export function agentErrorsMarkdown(): string {
  return [
    "| code | HTTP | meaning |",
    "|---|---|---|",
    ...Object.entries(AGENT_ERRORS).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.meaning} |`),
  ].join("\n");
}
