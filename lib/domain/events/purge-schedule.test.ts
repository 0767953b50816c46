import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "../../db/client";
import { newId } from "../../ids";
import { createTestAccount } from "../../test-support/factories";

// What every server instance schedules when it starts (instrumentation.ts):
// the retention purge a minute after start, then every hour. The purge itself
// is real here; the other sweeps are stubbed so only the purge touches the
// database. Timers are faked, the clock is not.
vi.mock("../../server/peer-address", () => ({ installPeerAddressHeader: vi.fn() }));
vi.mock("../credentials/record-expired-credentials", () => ({ recordExpiredCredentials: vi.fn(async () => 0) }));
vi.mock("./compact-event-counts", () => ({ compactEventCounts: vi.fn(async () => undefined) }));
vi.mock("../agent-sessions/close-stale-sessions", () => ({ closeStaleSessions: vi.fn(async () => 0) }));
vi.mock("./purge-expired-events", async (importOriginal) => {
  const real = await importOriginal<typeof import("./purge-expired-events")>();
  return { purgeExpiredEvents: vi.fn(real.purgeExpiredEvents) };
});

const DAY = 86_400_000;

afterEach(() => {
  vi.useRealTimers();
});

describe("the scheduled retention purge", () => {
  it("runs a minute after the server starts and every hour from its start, deleting what is past retention and recording it", async () => {
    const { account, owner } = await createTestAccount();
    const old = new Date(Date.now() - 401 * DAY);
    const recent = new Date(Date.now() - 399 * DAY);
    const [oldId, recentId] = [newId("event", old.getTime()), newId("event", recent.getTime())];
    await db().event.createMany({
      data: [
        { id: oldId, accountId: account.id, type: "credential.refused", source: "api", principalId: owner.id, createdAt: old },
        { id: recentId, accountId: account.id, type: "credential.refused", source: "api", principalId: owner.id, createdAt: recent },
      ],
    });

    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "clearTimeout", "clearInterval"] });
    const { purgeExpiredEvents } = await import("./purge-expired-events");
    const purge = vi.mocked(purgeExpiredEvents);
    vi.stubEnv("NEXT_RUNTIME", "nodejs");
    vi.stubEnv("BOTDESK_SERVE_LISTENERS", "");
    const { register } = await import("../../../instrumentation");
    await register();
    vi.unstubAllEnvs();

    vi.advanceTimersByTime(59_000);
    expect(purge).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(purge).toHaveBeenCalledTimes(1);
    expect(await purge.mock.results[0]!.value).toBe(1);

    expect(await db().event.findMany({ where: { id: { in: [oldId, recentId] } }, select: { id: true } })).toEqual([{ id: recentId }]);
    const recorded = await db().event.findMany({ where: { accountId: account.id, type: "events.purged" } });
    expect(recorded.map((e) => [e.source, (e.data as { count: number; retentionDays: number }).count, (e.data as { retentionDays: number }).retentionDays])).toEqual([
      ["system", 1, 400],
    ]);

    // And again every hour (nothing left: nothing deleted, nothing more recorded).
    vi.advanceTimersByTime(3_600_000 - 60_000 - 1_000);
    expect(purge).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    expect(purge).toHaveBeenCalledTimes(2);
    expect(await purge.mock.results[1]!.value).toBe(0);
    expect(await db().event.count({ where: { accountId: account.id, type: "events.purged" } })).toBe(1);
  });
});
