import type { Prisma } from "@/lib/db/generated/client";
import { zoneKeyAndAncestors } from "./zones";

/** The advisory-lock class (first int4 key) of names; the second key is a hash of a zone key. */
export const NAME_LOCK_CLASS = 0x4244524e; // "BDRN"

/** A 32-bit FNV-1a hash of a zone key, as a signed int4. Two keys sharing a hash only wait on each other needlessly. */
export function nameLockKey(zoneKey: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < zoneKey.length; i++) {
    h ^= zoneKey.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/**
 * Serializes everything that decides about a name, across every instance, until
 * the transaction ends: reserving it (reserveDomain) and binding a hostname
 * (mayBindHostname). Takes an EXCLUSIVE lock on the name's own zone key and a
 * SHARED lock on each name above it. Two deciders whose names overlap (equal,
 * or one under the other) always meet on one key where at least one of them
 * holds it exclusively, so the second waits and then sees what the first
 * committed; deciders on unrelated names, siblings included, never wait on
 * each other. Keys are taken in ascending order, one statement, so two
 * deciders never wait on each other crosswise.
 */
export async function lockName(tx: Prisma.TransactionClient, zoneKey: string): Promise<void> {
  const [own, ...above] = zoneKeyAndAncestors(zoneKey);
  const locks = new Map<number, boolean>(above.map((k) => [nameLockKey(k), false]));
  // A hash shared with an ancestor: exclusive wins (never both modes on one key in one statement).
  locks.set(nameLockKey(own ?? zoneKey), true);
  const sorted = [...locks].sort(([a], [b]) => a - b);
  const keys = sorted.map(([k]) => k);
  const exclusive = sorted.map(([, x]) => x);
  await tx.$queryRaw`
    SELECT count(*)::int AS n FROM (
      SELECT CASE WHEN l.x THEN pg_advisory_xact_lock(${NAME_LOCK_CLASS}::int4, l.k)::text
                  ELSE pg_advisory_xact_lock_shared(${NAME_LOCK_CLASS}::int4, l.k)::text END
      FROM unnest(${keys}::int4[], ${exclusive}::bool[]) WITH ORDINALITY AS l(k, x, i)
      ORDER BY l.i) locked`;
}
