/**
 * Counts kept in memory per key and written in batches: the one mechanism
 * behind the tunnels' TrafficMeter (bytes and requests per session) and the
 * API's UsageMeter (requests per principal and day). Adding is a map update,
 * never a database write; a flush takes what is pending (everything, or the
 * keys a filter picks) and hands it to `write`, flushes run one after another
 * (so a caller that awaits one sees every count added before it), every
 * `intervalMs` once started, and on stop(). What `write` could not write is
 * added back for the next flush and said once through `warn`: counts are never
 * dropped because the database was briefly away.
 */
export interface WriteBehindOptions<E> {
  /** Writes a batch; resolves with the entries it could not write and the error, or throws (then none was written). */
  write: (batch: E[]) => Promise<{ failed: E[]; error?: unknown } | void>;
  /** The key an entry is pending under. */
  keyOf: (entry: E) => string;
  /** Adds `more`'s counts to `into` (in place). */
  add: (into: E, more: E) => void;
  /** A copy of an entry, kept pending (so the caller's object is never changed). */
  copy: (entry: E) => E;
  /** Whether an entry has anything to write (entries of zeros are dropped at flush). */
  worthWriting?: (entry: E) => boolean;
  /** For the warning: "traffic meter: writing 2 of 3 session(s) failed, …". */
  name: string;
  unit: string;
  warn: (line: string) => void;
  intervalMs: number;
}

export class WriteBehind<E> {
  private pending = new Map<string, E>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly opts: WriteBehindOptions<E>) {}

  /** Adds `entry`'s counts to its key's pending entry. */
  add(entry: E): void {
    const key = this.opts.keyOf(entry);
    const pending = this.pending.get(key);
    if (pending) this.opts.add(pending, entry);
    else this.pending.set(key, this.opts.copy(entry));
  }

  /** What is pending for a key. */
  get(key: string): Readonly<E> | undefined {
    return this.pending.get(key);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Writes what is pending (the keys `pick` accepts, or all) in one batch, after any flush already running. */
  flush(pick?: (key: string) => boolean): Promise<void> {
    const run = async () => {
      const batch: E[] = [];
      for (const [key, entry] of this.pending) {
        if (pick && !pick(key)) continue;
        this.pending.delete(key);
        if (this.opts.worthWriting?.(entry) ?? true) batch.push(entry);
      }
      if (batch.length === 0) return;
      let failed: E[];
      let error: unknown;
      try {
        ({ failed, error } = (await this.opts.write(batch)) ?? { failed: [] });
      } catch (thrown) {
        failed = batch;
        error = thrown;
      }
      if (failed.length === 0) return;
      for (const entry of failed) this.add(entry);
      const message = error instanceof Error ? error.message : String(error);
      this.opts.warn(`${this.opts.name}: writing ${failed.length} of ${batch.length} ${this.opts.unit} failed, kept for the next flush: ${message.replace(/\s+/g, " ").trim()}`);
    };
    this.writing = this.writing.then(run, run);
    return this.writing;
  }

  /** Flushes every `intervalMs` (the option's unless given) until stop(); a second start does nothing. */
  start(intervalMs = this.opts.intervalMs): void {
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

/** a + b, clamped at Number.MAX_SAFE_INTEGER (the database saturates its bigints anyway). */
export function addClamped(a: number, b = 0): number {
  return Math.min(a + b, Number.MAX_SAFE_INTEGER);
}
