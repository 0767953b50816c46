import { createHash } from "node:crypto";

/**
 * The hot statements (the session check on every page; credential verification,
 * the rate-limit counters on every API request, and the usage meter's batched writes; recording an
 * event in every mutation) start
 * with PREPARED_MARK, written as text at the very start of the tagged template
 * (interpolated, it would become a parameter). Such a statement is sent as a named prepared statement, so each pooled
 * connection parses and plans it once and then reuses the plan (PostgreSQL's
 * plan cache: after five custom plans, the generic one when it is no dearer).
 * For these small joins, planning costs more than running: a valid API key's
 * four primary-key probes took 1.2 ms parsed and planned each time, 0.5 ms
 * prepared. Only marked statements are prepared, so the per-connection cache
 * stays a handful of entries and the list queries, whose best plan depends on
 * the account's size, keep a custom plan per call.
 */
export const PREPARED_MARK = "/* prepared */";

const names = new Map<string, string>();

/**
 * The prepared statement's name for a marked statement (a hash of its text), and
 * "" for any other: node-postgres sends an empty name as the unnamed statement,
 * parsed and planned for that call only.
 */
export function preparedStatementName(query: { sql: string }): string {
  const { sql } = query;
  if (!sql.startsWith(PREPARED_MARK)) return "";
  let name = names.get(sql);
  if (name === undefined) {
    name = `bd_${createHash("sha256").update(sql).digest("base64url").slice(0, 22)}`;
    names.set(sql, name);
  }
  return name;
}
