/**
 * PostgreSQL's SQLSTATE of an error, wherever the layers put it: node-postgres
 * sets `code` on its DatabaseError; the Prisma pg adapter (a DriverAdapterError)
 * keeps it as `cause.originalCode`; Prisma's client wraps that under
 * `meta.driverAdapterError`. Walks the cause chain a few levels. Null when no
 * layer carries a SQLSTATE (five characters, digits and capitals).
 */
export function sqlStateOf(error: unknown, depth = 0): string | null {
  if (!error || typeof error !== "object" || depth > 5) return null;
  const e = error as { code?: unknown; originalCode?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown }; clientVersion?: unknown };
  if (typeof e.originalCode === "string" && SQLSTATE.test(e.originalCode)) return e.originalCode;
  const deeper = sqlStateOf(e.meta?.driverAdapterError, depth + 1) ?? sqlStateOf(e.cause, depth + 1);
  if (deeper) return deeper;
  // node-postgres's own error; a Prisma client error's `code` is Prisma's (P2010), never a SQLSTATE.
  if (typeof e.code === "string" && SQLSTATE.test(e.code) && e.clientVersion === undefined) return e.code;
  return null;
}

// Five digits and capitals, at least one digit (every class has one: "40P01", "XX000"), so "EPIPE" is not one.
const SQLSTATE = /^(?=.*\d)[0-9A-Z]{5}$/;

/** SQLSTATE 40P01: PostgreSQL broke a deadlock by aborting this transaction (it may be retried). */
export const DEADLOCK_DETECTED = "40P01";
