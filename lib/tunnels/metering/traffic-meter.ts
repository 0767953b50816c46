import { recordCarriedTraffic, type CarriedTraffic } from "@/lib/domain/usage/record-carried-traffic";
import { log } from "@/lib/server/log";
import { addClamped, WriteBehind } from "@/lib/server/write-behind";

/** How often counted traffic is written at most (issue 19: batches at most 10 s apart). */
export const METER_FLUSH_INTERVAL_MS = 10_000;

type Owner = Pick<CarriedTraffic, "sessionId" | "accountId" | "principalId">;

/**
 * The traffic this process carried and has not written yet, per tunnel
 * session: counted in memory by the ingress for every byte and request, and
 * written in batches (recordCarriedTraffic: the session's totals and its
 * principal's usage of the day) every METER_FLUSH_INTERVAL_MS, when a session
 * ends (its carrier calls flush(sessionId)) and on shutdown (stop()). Never a
 * database write per request. The batching (a failed write kept for the next
 * one, counts clamped at Number.MAX_SAFE_INTEGER) is lib/server/write-behind.ts,
 * shared with the API's usage meter.
 */
export class TrafficMeter {
  private readonly counts: WriteBehind<CarriedTraffic>;

  constructor(write: (batch: CarriedTraffic[]) => Promise<void> = (batch) => recordCarriedTraffic(batch), warn: (line: string) => void = () => {}) {
    this.counts = new WriteBehind<CarriedTraffic>({
      write,
      keyOf: (t) => t.sessionId,
      copy: (t) => ({ ...t }),
      add: (into, more) => {
        into.bytesIn = addClamped(into.bytesIn, more.bytesIn);
        into.bytesOut = addClamped(into.bytesOut, more.bytesOut);
        into.requests = addClamped(into.requests, more.requests);
      },
      worthWriting: (t) => t.bytesIn > 0 || t.bytesOut > 0 || t.requests > 0,
      name: "traffic meter",
      unit: "session(s)",
      warn,
      intervalMs: METER_FLUSH_INTERVAL_MS,
    });
  }

  /** Adds carried traffic to `owner`'s session (bytesIn: client → agent, bytesOut: agent → client). */
  count(owner: Owner, delta: { bytesIn?: number; bytesOut?: number; requests?: number }): void {
    const { sessionId, accountId, principalId } = owner;
    this.counts.add({ sessionId, accountId, principalId, bytesIn: delta.bytesIn ?? 0, bytesOut: delta.bytesOut ?? 0, requests: delta.requests ?? 0 });
  }

  /** What is counted and not yet written for a session (tests, the bot's live view). */
  unwritten(sessionId: string): Readonly<CarriedTraffic> | undefined {
    return this.counts.get(sessionId);
  }

  /** Writes what is counted (for one session, or all) in one batch; flushes run one after another. */
  flush(sessionId?: string): Promise<void> {
    return this.counts.flush(sessionId === undefined ? undefined : (key) => key === sessionId);
  }

  /** Flushes every `intervalMs` until stop(). */
  start(intervalMs = METER_FLUSH_INTERVAL_MS): void {
    this.counts.start(intervalMs);
  }

  /** Stops the periodic flush and writes what is left (shutdown). */
  stop(): Promise<void> {
    return this.counts.stop();
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
