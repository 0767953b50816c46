import { describe, expect, it } from "vitest";
import { SingleFlightCache } from "./single-flight-cache";

/** A computation that finishes when told to, counting how often it started. */
function gate<V>(value: V) {
  let starts = 0;
  let open!: () => void;
  let opened = new Promise<void>((r) => (open = r));
  return {
    compute: async () => {
      starts++;
      await opened;
      return value;
    },
    open: () => open(),
    reset: () => (opened = new Promise<void>((r) => (open = r))),
    starts: () => starts,
  };
}

describe("SingleFlightCache", () => {
  it("runs one computation for every caller that arrives while it is in flight, then serves the value until it expires", async () => {
    const cache = new SingleFlightCache<number>(1000);
    const g = gate(7);
    const callers = Array.from({ length: 50 }, () => cache.get("a", g.compute, 0));
    g.open();
    expect(await Promise.all(callers)).toEqual(Array(50).fill(7));
    expect(g.starts()).toBe(1);
    expect(await cache.get("a", g.compute, 999)).toBe(7);
    expect(g.starts()).toBe(1);
    g.reset();
    const expired = Array.from({ length: 50 }, () => cache.get("a", g.compute, 1000));
    g.open();
    await Promise.all(expired);
    expect(g.starts()).toBe(2);
  });

  it("keeps keys apart", async () => {
    const cache = new SingleFlightCache<string>(1000);
    expect(await Promise.all([cache.get("a", async () => "A"), cache.get("b", async () => "B")])).toEqual(["A", "B"]);
  });

  it("does not keep a computation that started before forget(); callers after it start a new one", async () => {
    const cache = new SingleFlightCache<number>(60_000);
    const old = gate(1);
    const before = cache.get("a", old.compute, 0);
    cache.forget("a");
    const fresh = gate(2);
    const after = cache.get("a", fresh.compute, 0);
    old.open();
    fresh.open();
    expect([await before, await after]).toEqual([1, 2]);
    expect(await cache.get("a", async () => 3, 1)).toBe(2);
  });

  it("does not keep a failure: its callers get the error, the next caller tries again", async () => {
    const cache = new SingleFlightCache<number>(60_000);
    await expect(Promise.all([cache.get("a", async () => Promise.reject(new Error("db down")), 0), cache.get("a", async () => 5, 0)])).rejects.toThrow("db down");
    expect(await cache.get("a", async () => 6, 0)).toBe(6);
  });

  it("holds at most maxEntries keys, the oldest going first", async () => {
    const cache = new SingleFlightCache<number>(60_000, 3);
    for (const k of ["a", "b", "c", "d"]) await cache.get(k, async () => 1, 0);
    let recomputed = 0;
    await cache.get("a", async () => ++recomputed, 0);
    await cache.get("d", async () => ++recomputed, 0);
    expect(recomputed).toBe(1);
  });
});
