import { db } from "@/lib/db/client";
import { hasAtSign } from "@/lib/validation/text";
import { botNameKeys } from "@/lib/validation/name-keys";

/** A live bot whose name breaks a rule that came after it was named: kept as it is, for a person to rename. */
export interface NamedBot {
  id: string;
  accountId: string;
  name: string;
}

export interface LookAlikeReport {
  /** Bots that got their name keys now. */
  assigned: number;
  /** Bots whose name looks like an older bot's of the same account (`like`): their keys stay unset. */
  lookAlikes: (NamedBot & { like: NamedBot })[];
  /** Bots whose name contains an @ (or ＠ ﹫), which bot names may no longer. */
  withAt: NamedBot[];
}

interface Row {
  id: string;
  account_id: string;
  name: string;
  name_skeleton: string | null;
  name_skeleton_lower: string | null;
}

// One instance at a time: two starting together would both claim the same keys.
const LOCK_KEY = 0x626f746b; // "botk"

/**
 * Gives every live bot named before the look-alike rule its name keys
 * (lib/validation/name-keys.ts: SQL cannot compute them, so the migration
 * leaves them NULL), oldest bot first, where no bot of its account holds them
 * yet. A bot whose name looks like an older one's keeps its name and is
 * reported instead, never renamed: a person decides which one to rename, and
 * it gets its keys then (or at a later start, once the other was renamed or
 * deleted). Bots whose names contain an @ are reported too. Idempotent and
 * cheap once done: each start runs it (instrumentation.ts) and logs the report.
 */
export async function assignLookAlikeKeys(): Promise<LookAlikeReport> {
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_KEY})`;
    const pending = await tx.$queryRaw<Row[]>`
      SELECT id, account_id, name, name_skeleton, name_skeleton_lower FROM principals
      WHERE kind = 'bot' AND deleted_at IS NULL AND account_id IS NOT NULL AND (name_skeleton IS NULL OR name_skeleton_lower IS NULL)
      ORDER BY created_at, id`;
    const withAt = await tx.$queryRaw<Row[]>`
      SELECT id, account_id, name, NULL AS name_skeleton, NULL AS name_skeleton_lower FROM principals
      WHERE kind = 'bot' AND deleted_at IS NULL AND account_id IS NOT NULL AND (name LIKE '%@%' OR name LIKE '%＠%' OR name LIKE '%﹫%')
      ORDER BY account_id, created_at, id`;
    const report: LookAlikeReport = { assigned: 0, lookAlikes: [], withAt: withAt.filter((r) => hasAtSign(r.name)).map(named) };
    if (pending.length === 0) return report;

    // Who holds each key now, per account: the bots that have theirs, then each pending bot, oldest first.
    const accounts = [...new Set(pending.map((r) => r.account_id))];
    const keyed = await tx.$queryRaw<Row[]>`
      SELECT id, account_id, name, name_skeleton, name_skeleton_lower FROM principals
      WHERE kind = 'bot' AND deleted_at IS NULL AND account_id = ANY(${accounts}) AND (name_skeleton IS NOT NULL OR name_skeleton_lower IS NOT NULL)`;
    const holders = new Map<string, NamedBot>();
    const hold = (column: string, row: Row, key: string | null) => key !== null && holders.set(`${row.account_id}\u0000${column}\u0000${key}`, named(row));
    const holderOf = (column: string, row: Row, key: string) => holders.get(`${row.account_id}\u0000${column}\u0000${key}`);
    for (const row of keyed) {
      hold("s", row, row.name_skeleton);
      hold("l", row, row.name_skeleton_lower);
    }
    const updates: { id: string; skeleton: string | null; lower: string | null }[] = [];
    for (const row of pending) {
      const keys = botNameKeys(row.name);
      const take = (column: string, current: string | null, key: string): string | null => {
        if (current !== null) return null;
        const holder = holderOf(column, row, key);
        if (holder && holder.id !== row.id) {
          if (!report.lookAlikes.some((l) => l.id === row.id)) report.lookAlikes.push({ ...named(row), like: holder });
          return null;
        }
        hold(column, row, key);
        return key;
      };
      const skeleton = take("s", row.name_skeleton, keys.nameSkeleton);
      const lower = take("l", row.name_skeleton_lower, keys.nameSkeletonLower);
      if (skeleton !== null || lower !== null) updates.push({ id: row.id, skeleton, lower });
    }
    if (updates.length > 0) {
      await tx.$executeRaw`
        UPDATE principals p
        SET name_skeleton = COALESCE(p.name_skeleton, u.skeleton), name_skeleton_lower = COALESCE(p.name_skeleton_lower, u.lower)
        FROM unnest(${updates.map((u) => u.id)}::text[], ${updates.map((u) => u.skeleton)}::text[], ${updates.map((u) => u.lower)}::text[]) AS u(id, skeleton, lower)
        WHERE p.id = u.id`;
    }
    report.assigned = updates.length;
    return report;
  }, { timeout: 120_000 });
}

const named = (row: Row): NamedBot => ({ id: row.id, accountId: row.account_id, name: row.name });

/** A name as an operator can read it in a log: anything outside printable ASCII as U+XXXX. */
export function visibleName(name: string): string {
  return JSON.stringify(name.replace(/[^\u0020-\u007E]/gu, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}>`));
}

/** The report as log lines (none when there is nothing to say). */
export function lookAlikeReportLines(report: LookAlikeReport): string[] {
  const lines: string[] = [];
  if (report.lookAlikes.length > 0) {
    lines.push(`${report.lookAlikes.length} bot name(s) look like an older bot's name in the same account. They were kept as they are; rename one of each pair (dashboard or API) and the look-alike rule covers it:`);
    for (const l of report.lookAlikes) lines.push(`  account ${l.accountId}: ${visibleName(l.name)} (${l.id}) looks like ${visibleName(l.like.name)} (${l.like.id})`);
  }
  if (report.withAt.length > 0) {
    lines.push(`${report.withAt.length} bot name(s) contain an @, which bot names may no longer (a name must never pass for an email). They were kept as they are; rename them:`);
    for (const b of report.withAt) lines.push(`  account ${b.accountId}: ${visibleName(b.name)} (${b.id})`);
  }
  return lines;
}
