import { db } from "@/lib/db/client";
import { log } from "@/lib/server/log";
import { addClamped, WriteBehind } from "@/lib/server/write-behind";
import { recordUsage, utcDay, type UsageIncrement } from "./record-usage";

/** How often counted usage is written at most (issue 20: the API's requests, batched per process). */
export const USAGE_FLUSH_INTERVAL_MS = 5_000;

type Amounts = Required<Omit<UsageIncrement, "accountId" | "principalId" | "day">>;
type Entry = { accountId: string; principalId: string; day: string } & Amounts;

const ZERO: Amounts = { sessions: 0, endpoints: 0, bytesIn: 0, bytesOut: 0, tunnelRequests: 0, apiRequests: 0 };
const AMOUNTS = Object.keys(ZERO) as (keyof Amounts)[];

/**
 * Usage this process counted and has not written yet, per principal and UTC
 * day: the batching of the tunnels' TrafficMeter (lib/server/write-behind.ts)
 * for usage_daily alone. The REST API counts each request it serves here
 * instead of writing a row per request (one statement fewer per request, and
 * no row lock every request of an account waits on). Written (recordUsage,
 * one statement per principal and day) every USAGE_FLUSH_INTERVAL_MS once
 * something was counted, before any usage is read in this process (the
 * readers call flush()), and on shutdown (instrumentation.ts: stopBeforeExit).
 * Usage is reported, never a limit, so batching it loses no exactness;
 * another instance's readers see it at most one interval late. A write that
 * fails keeps its counts for the next flush. Counts clamp at
 * Number.MAX_SAFE_INTEGER (the database saturates anyway).
 */
export class UsageMeter {
  private readonly counts: WriteBehind<Entry>;

  constructor(
    write: (entry: UsageIncrement) => Promise<void> = (entry) => recordUsage(db(), entry),
    warn: (line: string) => void = () => {},
    intervalMs = USAGE_FLUSH_INTERVAL_MS,
  ) {
    this.counts = new WriteBehind<Entry>({
      // One statement per principal and day; the ones that fail are kept, the others are written.
      write: async (batch) => {
        const failed: Entry[] = [];
        let error: unknown;
        for (const entry of batch) {
          try {
            await write({ ...entry, day: new Date(`${entry.day}T00:00:00Z`) });
          } catch (thrown) {
            failed.push(entry);
            error = thrown;
          }
        }
        return { failed, error };
      },
      keyOf: (e) => `${e.accountId}/${e.principalId}/${e.day}`,
      copy: (e) => ({ ...e }),
      add: (into, more) => {
        for (const field of AMOUNTS) into[field] = addClamped(into[field], more[field]);
      },
      name: "usage meter",
      unit: "principal-day(s)",
      warn,
      intervalMs,
    });
  }

  /** Adds usage to its principal's day (the day of `usage.day`, default now); starts the periodic flush. Throws RangeError like recordUsage. */
  count(usage: UsageIncrement): void {
    const entry: Entry = { accountId: usage.accountId, principalId: usage.principalId, day: utcDay(usage.day ?? new Date()), ...ZERO };
    for (const field of AMOUNTS) {
      const v = usage[field];
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new RangeError(`UsageMeter: ${field} must be a non-negative whole number, got ${v}`);
      entry[field] = v ?? 0;
    }
    this.counts.add(entry);
    this.counts.start();
  }

  /** Whether anything is counted and not yet written (tests). */
  get idle(): boolean {
    return this.counts.size === 0;
  }

  /** Writes everything counted so far; flushes run one after another, so a reader that awaits it sees every count made before. */
  flush(): Promise<void> {
    return this.counts.flush();
  }

  /** Stops the periodic flush and writes what is left (shutdown). */
  stop(): Promise<void> {
    return this.counts.stop();
  }
}

const METER = Symbol.for("botdesk.usageMeter");
type WithMeter = typeof globalThis & { [METER]?: UsageMeter };

/** The process's one usage meter (shared by the API routes that count and the pages and API that read usage). */
export function usageMeter(): UsageMeter {
  const g = globalThis as WithMeter;
  g[METER] ??= new UsageMeter(undefined, (line) => log.warn("botdesk", line));
  return g[METER];
}

/** Before reading usage: writes what this process counted, so a reader sees every request served before it. */
export function usageWritten(): Promise<void> {
  return usageMeter().flush();
}
