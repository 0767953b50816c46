import { AsyncLocalStorage } from "node:async_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { OncePerRequest } from "./once-per-request";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("OncePerRequest", () => {
  it("computes once per request id, for callers during and after the computation", async () => {
    const perRequest = new OncePerRequest<number>();
    let runs = 0;
    const work = async () => {
      await nextTurn();
      return ++runs;
    };
    const [a, b] = await Promise.all([perRequest.get("r1", work), perRequest.get("r1", work)]);
    expect([a, b, await perRequest.get("r1", work)]).toEqual([1, 1, 1]);
    expect(await perRequest.get("r2", work)).toBe(2);
    expect(await perRequest.get(null, work)).toBe(3); // no id: nothing shared
    expect(await perRequest.get(null, work)).toBe(4);
  });

  it("forgets a failed computation and entries older than its window", async () => {
    const perRequest = new OncePerRequest<string>(1_000);
    await expect(perRequest.get("r1", async () => Promise.reject(new Error("database down")))).rejects.toThrow("database down");
    await nextTurn();
    expect(await perRequest.get("r1", async () => "second try")).toBe("second try");
    // A request arriving after the window drops the old entry: r1 is computed again.
    expect(await perRequest.get("r3", async () => "later", Date.now() + 2_000)).toBe("later");
    expect(await perRequest.get("r1", async () => "again")).toBe("again");
  });

  it("does not keep a served request alive through the promise its computation made", async () => {
    // Next.js keeps the request, the response and its compression stream in an
    // AsyncLocalStorage store; every promise made while serving carries that store.
    const requestStore = new AsyncLocalStorage<{ request: { body: Uint8Array } }>();
    const perRequest = new OncePerRequest<string>();
    let served!: WeakRef<object>;
    await (async () => {
      const request = { body: new Uint8Array(1 << 20) };
      served = new WeakRef(request);
      const admitted = await requestStore.run({ request }, () =>
        perRequest.get("r1", async () => {
          await nextTurn();
          return "admitted";
        }),
      );
      expect(admitted).toBe("admitted");
    })();
    for (let i = 0; i < 3; i++) {
      await nextTurn();
      gc();
    }
    expect(served.deref()).toBeUndefined();
    // …while the answer is still remembered for the rest of the request.
    expect(await perRequest.get("r1", async () => "computed twice")).toBe("admitted");
  });
});
