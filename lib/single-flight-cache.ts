/**
 * A per-process cache of values computed from the database, each kept `ttlMs`
 * and computed by ONE caller at a time per key: callers that arrive while a
 * computation is in flight wait for it instead of starting their own (no
 * stampede when an entry expires under load). `forget(key)` drops the value at
 * once; a computation that started before it still answers the callers that
 * joined it but is not kept, and callers after it start a new one. Holds at
 * most `maxEntries` keys (the oldest go first), so keys taken from requests
 * cannot grow it without bound. A failed computation is not kept: its callers
 * get the error, the next caller tries again.
 */
export class SingleFlightCache<V> {
  private readonly values = new Map<string, { at: number; value: V }>();
  private readonly inFlight = new Map<string, { started: number; promise: Promise<V> }>();
  /** When each key was last forgotten, on `clock`: computations started before that are stale. */
  private readonly forgotten = new Map<string, number>();
  private clock = 0;

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number = 1000,
  ) {}

  /** The key's value if computed less than ttlMs before `now`, else the computation in flight, else a new one. */
  get(key: string, compute: () => Promise<V>, now: number = Date.now()): Promise<V> {
    const hit = this.values.get(key);
    if (hit && now - hit.at < this.ttlMs && hit.at <= now) return Promise.resolve(hit.value);
    const since = this.forgotten.get(key) ?? 0;
    const flying = this.inFlight.get(key);
    if (flying && flying.started >= since) return flying.promise;
    const entry: { started: number; promise: Promise<V> } = { started: this.clock, promise: Promise.resolve(undefined as V) };
    this.inFlight.set(key, entry);
    entry.promise = (async () => {
      try {
        const value = await compute();
        if (entry.started >= (this.forgotten.get(key) ?? 0)) this.remember(this.values, key, { at: now, value });
        return value;
      } finally {
        if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
      }
    })();
    return entry.promise;
  }

  /** Drops the key's value; a computation in flight now is not kept. */
  forget(key: string): void {
    this.values.delete(key);
    this.remember(this.forgotten, key, ++this.clock);
  }

  private remember<T>(map: Map<string, T>, key: string, value: T): void {
    map.delete(key);
    map.set(key, value);
    while (map.size > this.maxEntries) map.delete(map.keys().next().value!);
  }
}
