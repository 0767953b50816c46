import { describe, expect, it } from "vitest";
import { planWebWorkers, workerEnv } from "./web-workers";

describe("how many web workers npm start runs, and each one's database connections", () => {
  it("runs one per core by default, the instance's pool divided among them", () => {
    expect(planWebWorkers(undefined, 10, 2)).toEqual({ workers: 2, poolPerWorker: 5 });
    expect(planWebWorkers(undefined, 10, 3)).toEqual({ workers: 3, poolPerWorker: 3 });
  });

  it("never more workers by default than the pool has connections, so the total stays within the pool", () => {
    const plan = planWebWorkers(undefined, 10, 64);
    expect(plan).toEqual({ workers: 10, poolPerWorker: 1 });
    expect(plan.workers * plan.poolPerWorker).toBeLessThanOrEqual(10);
  });

  it("BOTDESK_WEB_WORKERS=1 keeps one process with the whole pool", () => {
    expect(planWebWorkers(1, 10, 8)).toEqual({ workers: 1, poolPerWorker: 10 });
  });

  it("refuses more workers than connections, naming both settings", () => {
    expect(() => planWebWorkers(12, 10, 2)).toThrow(/BOTDESK_WEB_WORKERS \(12\) is more than DATABASE_POOL_SIZE \(10\)/);
  });

  it("gives only worker 1 the listeners for agents; every worker its share of the pool", () => {
    const plan = { workers: 2, poolPerWorker: 5 };
    const base: NodeJS.ProcessEnv = { NODE_ENV: "production", BOTDESK_SERVE_LISTENERS: "1", DATABASE_POOL_SIZE: "10" };
    expect(workerEnv(base, 1, plan)).toMatchObject({ BOTDESK_SERVE_LISTENERS: "1", BOTDESK_WEB_WORKER: "1", DATABASE_POOL_SIZE: "5" });
    expect(workerEnv(base, 2, plan)).toMatchObject({ BOTDESK_SERVE_LISTENERS: "", BOTDESK_WEB_WORKER: "2", DATABASE_POOL_SIZE: "5" });
  });
});
