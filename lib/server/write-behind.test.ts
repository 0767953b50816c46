import { describe, expect, it } from "vitest";
import { UsageMeter } from "@/lib/domain/usage/usage-meter";
import type { UsageIncrement } from "@/lib/domain/usage/record-usage";

describe("write-behind counts (the usage meter's writes one by one)", () => {
  it("keeps only what failed for the next flush, says so once, and writes the rest", async () => {
    const written: UsageIncrement[] = [];
    const lines: string[] = [];
    let refuse = "pr_b";
    const meter = new UsageMeter(
      async (entry) => {
        if (entry.principalId === refuse) throw new Error("database\n away");
        written.push(entry);
      },
      (line) => lines.push(line),
      60_000,
    );
    const day = new Date("2026-12-07T12:00:00Z");
    meter.count({ accountId: "ac", principalId: "pr_a", apiRequests: 2, day });
    meter.count({ accountId: "ac", principalId: "pr_b", apiRequests: 3, day });
    await meter.flush();
    expect(written.map((w) => [w.principalId, w.apiRequests])).toEqual([["pr_a", 2]]);
    expect(lines).toEqual(["usage meter: writing 1 of 2 principal-day(s) failed, kept for the next flush: database away"]);

    meter.count({ accountId: "ac", principalId: "pr_b", apiRequests: 4, day });
    refuse = "";
    await meter.stop();
    expect(written.map((w) => [w.principalId, w.apiRequests])).toEqual([["pr_a", 2], ["pr_b", 7]]);
    expect(meter.idle).toBe(true);
  });
});
