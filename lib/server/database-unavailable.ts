/**
 * Whether an error means the database cannot be reached right now (down,
 * restarting, refusing connections, pool exhausted), as opposed to a bug or a
 * refused query. Such errors get "database unavailable" answers, which go away
 * by themselves once it is back: nothing is cached about the outage.
 */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1003", "P1008", "P1017", "P2024"]);
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "DatabaseDoesNotExist", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
// Node socket errors and PostgreSQL's "shutting down" / "starting up" / "too many connections".
const RAW_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "57P01", "57P02", "57P03", "53300"]);

interface MaybeDbError {
  code?: unknown;
  kind?: unknown;
  cause?: unknown;
  severity?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown; severity?: unknown } } };
}

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 4) return false;
  const e = error as MaybeDbError;
  if (typeof e.code === "string" && (PRISMA_CODES.has(e.code) || RAW_CODES.has(e.code))) return true;
  if (typeof e.kind === "string" && ADAPTER_KINDS.has(e.kind)) return true;
  // node-postgres's own error (queryHot): FATAL ends the connection itself.
  if (e.severity === "FATAL") return true;
  const adapterCause = e.meta?.driverAdapterError?.cause;
  if (typeof adapterCause?.kind === "string" && ADAPTER_KINDS.has(adapterCause.kind)) return true;
  if (typeof adapterCause?.originalCode === "string" && RAW_CODES.has(adapterCause.originalCode)) return true;
  // FATAL ends the connection itself (e.g. "database is not currently accepting connections").
  if (adapterCause?.severity === "FATAL") return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/** The digest error.tsx recognises to show "database unavailable" instead of a generic failure. */
export const DATABASE_UNAVAILABLE_DIGEST = "BOTDESK_DATABASE_UNAVAILABLE";

export class DatabaseUnavailableError extends Error {
  readonly digest = DATABASE_UNAVAILABLE_DIGEST;
  constructor(cause: unknown) {
    super("The database is unavailable", { cause });
    this.name = "DatabaseUnavailableError";
  }
}
