/**
 * What the rest of the server tells the metrics (lib/server/metrics.ts), without
 * loading them: scripts and tests that never serve /metrics pay nothing. State on
 * globalThis, as Next.js loads this module once per bundle.
 */

export interface PoolLike {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

const POOLS = Symbol.for("botdesk.metrics.pools");
const EVENTS = Symbol.for("botdesk.metrics.events");
type Hooks = typeof globalThis & { [POOLS]?: PoolLike[]; [EVENTS]?: (type: string) => void };

/** The database pools whose connections the pool gauges report. */
export function registeredPools(): PoolLike[] {
  return ((globalThis as Hooks)[POOLS] ??= []);
}

/** lib/db/client.ts registers the app's pool. */
export function registerPoolForMetrics(pool: PoolLike): void {
  registeredPools().push(pool);
}

/** One event recorded by this process (counted once the metrics are loaded: the web server). */
export function countEventRecorded(type: string): void {
  (globalThis as Hooks)[EVENTS]?.(type);
}

export function onEventRecorded(hook: (type: string) => void): void {
  (globalThis as Hooks)[EVENTS] = hook;
}
