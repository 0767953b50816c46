import { describe, expect, it } from "vitest";
import type { CarriedTraffic } from "@/lib/domain/usage/record-carried-traffic";
import { TrafficMeter } from "./traffic-meter";

const a = { sessionId: "ts_a", accountId: "ac_1", principalId: "pr_1" };
const b = { sessionId: "ts_b", accountId: "ac_1", principalId: "pr_2" };

function recorder(fail = () => false) {
  const writes: CarriedTraffic[][] = [];
  const write = async (batch: CarriedTraffic[]) => {
    if (fail()) throw new Error("database away");
    writes.push(batch.map((t) => ({ ...t })));
  };
  return { writes, write };
}

describe("the traffic meter", () => {
  it("writes nothing per request: 1,000 requests become one batch per interval, summed per session", async () => {
    const { writes, write } = recorder();
    const meter = new TrafficMeter(write);
    for (let i = 0; i < 1000; i++) meter.count(i % 2 ? a : b, { bytesIn: 10, bytesOut: 20, requests: 1 });
    expect(writes).toEqual([]);
    meter.start(50);
    await new Promise((r) => setTimeout(r, 120));
    await meter.stop();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.sort((x, y) => x.sessionId.localeCompare(y.sessionId))).toEqual([
      { ...a, bytesIn: 5000, bytesOut: 10000, requests: 500 },
      { ...b, bytesIn: 5000, bytesOut: 10000, requests: 500 },
    ]);
  });

  it("writes one session alone when it ends, and the rest on stop", async () => {
    const { writes, write } = recorder();
    const meter = new TrafficMeter(write);
    meter.count(a, { bytesIn: 1 });
    meter.count(b, { bytesOut: 2 });
    await meter.flush("ts_a");
    expect(writes).toEqual([[{ ...a, bytesIn: 1, bytesOut: 0, requests: 0 }]]);
    expect(meter.unwritten("ts_b")).toMatchObject({ bytesOut: 2 });
    await meter.stop();
    expect(writes[1]).toEqual([{ ...b, bytesIn: 0, bytesOut: 2, requests: 0 }]);
    await meter.flush();
    expect(writes).toHaveLength(2);
  });

  it("keeps the counts of a failed write for the next one, and clamps at 2^53-1", async () => {
    let failing = true;
    const lines: string[] = [];
    const { writes, write } = recorder(() => failing);
    const meter = new TrafficMeter(write, (line) => lines.push(line));
    meter.count(a, { bytesIn: 7, requests: 1 });
    await meter.flush();
    expect(lines[0]).toMatch(/failed, kept for the next flush: database away/);
    meter.count(a, { bytesIn: 3, bytesOut: Number.MAX_SAFE_INTEGER });
    meter.count(a, { bytesOut: Number.MAX_SAFE_INTEGER });
    failing = false;
    await meter.flush();
    expect(writes).toEqual([[{ ...a, bytesIn: 10, bytesOut: Number.MAX_SAFE_INTEGER, requests: 1 }]]);
  });
});
