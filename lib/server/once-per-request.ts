/**
 * One computation per HTTP request, shared by everything that asks for it while
 * the request is served (React's `cache` is per render scope: metadata, layout
 * and page, or a server action and the render after it, each get their own).
 * Keyed by the id proxy.ts gives every request; entries are dropped after
 * `keepMs` (a minute), oldest first, as new requests come.
 *
 * Once settled, an entry keeps the VALUE, never the promise: a promise made
 * while a request is served carries that request's async context (Node's
 * AsyncLocalStorage stores it on every promise), which is Next's request store
 * and through it the request, the response and its compression stream. Keeping
 * the promises for a minute kept every request of the last minute alive: about
 * 300 MB at 70 requests/s, a heap near its cap and the garbage collector's work
 * on every request after it (bench/README.md, "The dashboard's floor").
 * A failed computation is not kept: the next caller tries again.
 */
export class OncePerRequest<V> {
  private readonly entries = new Map<string, { at: number; pending: Promise<V> | null; value?: V }>();

  constructor(private readonly keepMs = 60_000) {}

  get(requestId: string | null, work: () => Promise<V>, now = Date.now()): Promise<V> {
    if (!requestId) return work();
    const known = this.entries.get(requestId);
    if (known) return known.pending ?? Promise.resolve(known.value as V);
    for (const [id, entry] of this.entries) {
      if (now - entry.at < this.keepMs) break; // insertion order: the rest are newer
      this.entries.delete(id);
    }
    const pending = work();
    const entry: { at: number; pending: Promise<V> | null; value?: V } = { at: now, pending };
    this.entries.set(requestId, entry);
    pending.then(
      (value) => {
        entry.value = value;
        entry.pending = null;
      },
      () => {
        if (this.entries.get(requestId) === entry) this.entries.delete(requestId);
      },
    );
    return pending;
  }
}
