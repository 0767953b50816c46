import { recordCarriedTraffic, type CarriedTraffic } from "@/lib/domain/usage/record-carried-traffic";
import { log } from "@/lib/server/log";

/** How often counted traffic is written at most (issue 19: batches at most 10 s apart). */
export const METER_FLUSH_INTERVAL_MS = 10_000;

type Owner = Pick<CarriedTraffic, "sessionId" | "accountId" | "principalId">;

/**
 * The traffic this process carried and has not written yet, per tunnel
 * session: counted in memory by the ingress for every byte and request, and
 * written in batches (recordCarriedTraffic: the session's totals and its
 * principal's usage of the day) every METER_FLUSH_INTERVAL_MS, when a session
 * ends (its carrier calls flush(sessionId)) and on shutdown (stop()). Never a
 * database write per request. A write that fails keeps its counts for the
 * next one. Counts clamp at Number.MAX_SAFE_INTEGER (the database saturates
 * at bigint's maximum).
 */
export class TrafficMeter {
  private pending = new Map<string, CarriedTraffic>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (batch: CarriedTraffic[]) => Promise<void> = (batch) => recordCarriedTraffic(batch),
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Adds carried traffic to `owner`'s session (bytesIn: client → agent, bytesOut: agent → client). */
  count(owner: Owner, delta: { bytesIn?: number; bytesOut?: number; requests?: number }): void {
    let entry = this.pending.get(owner.sessionId);
    if (!entry) {
      entry = { sessionId: owner.sessionId, accountId: owner.accountId, principalId: owner.principalId, bytesIn: 0, bytesOut: 0, requests: 0 };
      this.pending.set(owner.sessionId, entry);
    }
    const add = (a: number, b = 0) => Math.min(a + b, Number.MAX_SAFE_INTEGER);
    entry.bytesIn = add(entry.bytesIn, delta.bytesIn);
    entry.bytesOut = add(entry.bytesOut, delta.bytesOut);
    entry.requests = add(entry.requests, delta.requests);
  }

  /** What is counted and not yet written for a session (tests, the bot's live view). */
  unwritten(sessionId: string): Readonly<CarriedTraffic> | undefined {
    return this.pending.get(sessionId);
  }

  /** Writes what is counted (for one session, or all) in one batch; flushes run one after another. */
  flush(sessionId?: string): Promise<void> {
    const run = async () => {
      const batch: CarriedTraffic[] = [];
      for (const [id, entry] of this.pending) {
        if (sessionId !== undefined && id !== sessionId) continue;
        this.pending.delete(id);
        if (entry.bytesIn || entry.bytesOut || entry.requests) batch.push(entry);
      }
      if (batch.length === 0) return;
      try {
        await this.write(batch);
      } catch (error) {
        // Kept for the next flush: traffic is never dropped because the database was briefly away.
        for (const entry of batch) this.count(entry, entry);
        this.log(`traffic meter: writing ${batch.length} session(s) failed, kept for the next flush: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    this.writing = this.writing.then(run, run);
    return this.writing;
  }

  /** Flushes every `intervalMs` until stop(). */
  start(intervalMs = METER_FLUSH_INTERVAL_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Stops the periodic flush and writes what is left (shutdown). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}

const METER = Symbol.for("botdesk.trafficMeter");
type WithMeter = typeof globalThis & { [METER]?: TrafficMeter };

/** The process's one meter, shared by the ingress (counting) and the carriers (flushing a session that ends). */
export function trafficMeter(): TrafficMeter {
  const g = globalThis as WithMeter;
  g[METER] ??= new TrafficMeter(undefined, (line) => log.warn("botdesk", line));
  return g[METER];
}
