import { formatWithOptions } from "node:util";
import { readEnv } from "@/lib/env";

/**
 * The server's own log lines. `BOTDESK_LOG_FORMAT=pretty` (the default) prints
 * what a person reads on a console (`[scope] message`, an error with its
 * stack); `json` prints one JSON object a line for a log collector:
 * `{"time","level","msg","scope","request_id",…,"error":{name,message,code,stack}}`.
 * Both pass through redact(): a bearer token, a Botdesk secret, a password in a
 * URL or a cookie never reaches the log, also when it sits in an error's
 * message or properties (an error carrying the request's headers, say).
 */

export type LogLevel = "info" | "warn" | "error";

export interface LogFields {
  /** The request's id (x-botdesk-request-id, the API's operation id), when the line is about one. */
  requestId?: string | null;
  error?: unknown;
  [field: string]: unknown;
}

const SECRET_PATTERNS: [RegExp, string][] = [
  // Authorization / Proxy-Authorization headers in any rendering: `authorization: Bearer x`, `"authorization":"Basic x"`, `authorization: [ 'x' ]`.
  [/((?:proxy-)?authorization['"]?\s*[:=]\s*\[?\s*['"]?)(?:(?:bearer|basic|token)\s+)?[^'"\s,}\]]+/gi, "$1[redacted]"],
  [/\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 [redacted]"],
  // Botdesk's own secrets (authtokens, API keys): prefix_body_secret_checksum.
  [/\bbd(?:at|ak)_[A-Za-z0-9_]{8,}/g, "bd…[redacted]"],
  // Session cookies and Cookie headers.
  [/((?:set-)?cookie['"]?\s*[:=]\s*\[?\s*['"]?)[^'"\n\]]+/gi, "$1[redacted]"],
  // A password in a connection URL: postgresql://user:secret@host.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@/\s]+@/gi, "$1[redacted]@"],
  // key=value or "key": "value" for fields named like a secret.
  [/((?:password|passwd|secret|token|api_?key|auth_secret)['"]?\s*[:=]\s*['"]?)[^'"\s,&}]+/gi, "$1[redacted]"],
];

/** The text with anything that looks like a credential replaced by `[redacted]`. */
export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function errorJson(error: unknown): unknown {
  if (!(error instanceof Error)) return redact(typeof error === "string" ? error : formatWithOptions({ depth: 4, colors: false }, "%O", error));
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: redact(error.message),
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    ...(error.stack ? { stack: redact(error.stack) } : {}),
    ...(error.cause !== undefined ? { cause: errorJson(error.cause) } : {}),
  };
}

type Sink = (level: LogLevel, line: string) => void;
const consoleSink: Sink = (level, line) => (level === "error" ? console.error(line) : level === "warn" ? console.warn(line) : console.log(line));
let sink: Sink = consoleSink;
let format: "json" | "pretty" | undefined;

/** Tests: where lines go and in which format (undefined: back to the console and BOTDESK_LOG_FORMAT). */
export function setLogSinkForTests(next: Sink | undefined, nextFormat?: "json" | "pretty"): void {
  sink = next ?? consoleSink;
  format = nextFormat;
}

/** One log line: `scope` says which part of the server speaks ("api", "action", "botdesk"). */
export function writeLog(level: LogLevel, scope: string, msg: string, fields: LogFields = {}): void {
  const { requestId, error, ...rest } = fields;
  if ((format ?? readEnv().BOTDESK_LOG_FORMAT) === "json") {
    const line: Record<string, unknown> = { time: new Date().toISOString(), level, msg: redact(msg), scope };
    if (requestId) line.request_id = requestId;
    for (const [key, value] of Object.entries(rest)) line[key] = typeof value === "string" ? redact(value) : value;
    if (error !== undefined) line.error = errorJson(error);
    let text: string;
    try {
      text = JSON.stringify(line);
    } catch {
      text = JSON.stringify({ time: line.time, level, msg: line.msg, scope, request_id: line.request_id });
    }
    sink(level, text);
    return;
  }
  const extra = Object.keys(rest).length > 0 ? ` ${formatWithOptions({ colors: false, breakLength: Infinity }, "%o", rest)}` : "";
  const head = `[${scope}] ${msg}${requestId ? ` (request ${requestId})` : ""}${extra}`;
  const text = error === undefined ? head : formatWithOptions({ colors: false, depth: 4 }, "%s %O", head, error);
  sink(level, redact(text));
}

export const log = {
  info: (scope: string, msg: string, fields?: LogFields) => writeLog("info", scope, msg, fields),
  warn: (scope: string, msg: string, fields?: LogFields) => writeLog("warn", scope, msg, fields),
  error: (scope: string, msg: string, fields?: LogFields) => writeLog("error", scope, msg, fields),
};
