import { db } from "@/lib/db/client";
import { log } from "@/lib/server/log";
import { recordUsage, utcDay, type UsageIncrement } from "./record-usage";

/** How often counted usage is written at most (issue 20: the API's requests, batched per process). */
export const USAGE_FLUSH_INTERVAL_MS = 5_000;

type Amounts = Required<Omit<UsageIncrement, "accountId" | "principalId" | "day">>;
type Entry = { accountId: string; principalId: string; day: string } & Amounts;

const ZERO: Amounts = { sessions: 0, endpoints: 0, bytesIn: 0, bytesOut: 0, tunnelRequests: 0, apiRequests: 0 };
const AMOUNTS = Object.keys(ZERO) as (keyof Amounts)[];

/**
 * Usage this process counted and has not written yet, per principal and UTC
 * day: the pattern of the tunnels' TrafficMeter for usage_daily alone. The
 * REST API counts each request it serves here instead of writing a row per
 * request (one statement fewer per request, and no row lock every request of
 * an account waits on). Written (recordUsage, one statement per principal and
 * day) every USAGE_FLUSH_INTERVAL_MS once something was counted, before any
 * usage is read in this process (the readers call flush()), and on shutdown
 * (instrumentation.ts: stopBeforeExit). Usage is reported, never a limit, so
 * batching it loses no exactness; another instance's readers see it at most
 * one interval late. A write that fails keeps its counts for the next flush.
 * Counts clamp at Number.MAX_SAFE_INTEGER (the database saturates anyway).
 */
export class UsageMeter {
  private pending = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (entry: UsageIncrement) => Promise<void> = (entry) => recordUsage(db(), entry),
    private readonly warn: (line: string) => void = () => {},
    private readonly intervalMs = USAGE_FLUSH_INTERVAL_MS,
  ) {}

  /** Adds usage to its principal's day (the day of `usage.day`, default now); starts the periodic flush. Throws RangeError like recordUsage. */
  count(usage: UsageIncrement): void {
    for (const field of AMOUNTS) {
      const v = usage[field];
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new RangeError(`UsageMeter: ${field} must be a non-negative whole number, got ${v}`);
    }
    const day = utcDay(usage.day ?? new Date());
    const key = `${usage.accountId}/${usage.principalId}/${day}`;
    let entry = this.pending.get(key);
    if (!entry) {
      entry = { accountId: usage.accountId, principalId: usage.principalId, day, ...ZERO };
      this.pending.set(key, entry);
    }
    for (const field of AMOUNTS) entry[field] = Math.min(entry[field] + (usage[field] ?? 0), Number.MAX_SAFE_INTEGER);
    this.start();
  }

  /** Whether anything is counted and not yet written (tests). */
  get idle(): boolean {
    return this.pending.size === 0;
  }

  /** Writes everything counted so far; flushes run one after another, so a reader that awaits it sees every count made before. */
  flush(): Promise<void> {
    const run = async () => {
      const batch = [...this.pending.values()];
      this.pending.clear();
      let failed = 0;
      let lastError: unknown;
      for (const entry of batch) {
        try {
          await this.write({ ...entry, day: new Date(`${entry.day}T00:00:00Z`) });
        } catch (error) {
          // Kept for the next flush: usage is never dropped because the database was briefly away.
          failed += 1;
          lastError = error;
          this.count({ ...entry, day: new Date(`${entry.day}T00:00:00Z`) });
        }
      }
      if (failed > 0) {
        this.warn(`usage meter: writing ${failed} of ${batch.length} principal-day(s) failed, kept for the next flush: ${(lastError instanceof Error ? lastError.message : String(lastError)).replace(/\s+/g, " ").trim()}`);
      }
    };
    this.writing = this.writing.then(run, run);
    return this.writing;
  }

  /** Flushes every interval until stop() (started by the first count). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the periodic flush and writes what is left (shutdown). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
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
