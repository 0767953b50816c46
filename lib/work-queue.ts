/**
 * At most `concurrency` jobs at once, the rest waiting in order. `tryRun`
 * refuses at once (returns `busy`) when `maxQueued` jobs already wait, so a
 * flood of requests cannot pile up unbounded work and latency.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly maxQueued: number,
  ) {}

  /** Jobs running and waiting right now. */
  get load(): { running: number; queued: number } {
    return { running: this.running, queued: this.waiting.length };
  }

  /** Runs `job` when a slot is free, however long the queue. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await job();
    } finally {
      // Hand the slot straight to the next waiter, so `running` never dips and lets a newcomer jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Like `run`, but answers `busy` instead of queueing behind `maxQueued` others. */
  tryRun<T>(job: () => Promise<T>): Promise<T | typeof BUSY> {
    if (this.running >= this.concurrency && this.waiting.length >= this.maxQueued) return Promise.resolve(BUSY);
    return this.run(job);
  }
}

export const BUSY = Symbol("busy");
