import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { UsageMeter, usageWritten } from "@/lib/domain/usage/usage-meter";
import { apiAccount, call } from "./client";

const apiRequestsOf = async (principalId: string): Promise<number> => {
  const [row] = await db().$queryRaw<{ n: bigint }[]>`SELECT COALESCE(SUM(api_requests), 0)::bigint AS n FROM usage_daily WHERE principal_id = ${principalId}`;
  return Number(row?.n ?? 0);
};

// Each API request served is counted as its key owner's usage, in this
// process's usage meter, and written in batches (usage-meter.ts): never a
// statement per request. A meter write that fails must not turn what happened
// into an error (a client that got a 500 for a bot it did create retries, and
// creates it twice), and must lose nothing.
describe("API request metering (real PostgreSQL)", () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await db().$executeRawUnsafe("DROP TRIGGER IF EXISTS usage_refused ON usage_daily");
  });

  it("a meter write that fails is logged and kept: the create is answered 201, once, and counted once the database takes it", async () => {
    const { owner } = await apiAccount();
    // The database refuses every usage write of this owner from now on (a real failure of the real statement).
    await db().$executeRawUnsafe(`CREATE OR REPLACE FUNCTION usage_refused() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'usage writes refused for this test'; END $$`);
    await db().$executeRawUnsafe(`CREATE TRIGGER usage_refused BEFORE INSERT OR UPDATE ON usage_daily
      FOR EACH ROW WHEN (NEW.principal_id = '${owner.principal.id}') EXECUTE FUNCTION usage_refused()`);
    const logged = vi.spyOn(console, "warn").mockImplementation(() => {});

    const made = await call("POST", "/bot_users", { key: owner.key.token, body: { name: "metered-once" } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: "metered-once", active: true });
    expect(await db().principal.count({ where: { accountId: owner.actor.account.id, name: "metered-once" } })).toBe(1);
    // Reads are metered too: answered, not failed.
    expect((await call("GET", "/bot_users", { key: owner.key.token })).status).toBe(200);
    await usageWritten();
    // One line (lib/server/log.ts): what failed, and that it is kept.
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/^\[botdesk\] usage meter: writing 1 of \d+ principal-day\(s\) failed, kept for the next flush: .*usage writes refused/));
    expect(await db().usageDaily.count({ where: { principalId: owner.principal.id } })).toBe(0);

    // The database takes writes again: the next flush writes both requests, none lost.
    await db().$executeRawUnsafe("DROP TRIGGER usage_refused ON usage_daily");
    await usageWritten();
    expect(await apiRequestsOf(owner.principal.id)).toBe(2);
  });

  it("a meter write that works counts each served request once", async () => {
    const { owner } = await apiAccount();
    expect((await call("POST", "/bot_users", { key: owner.key.token, body: { name: "metered-twice" } })).status).toBe(201);
    expect((await call("GET", "/bot_users", { key: owner.key.token })).status).toBe(200);
    await usageWritten();
    expect(await apiRequestsOf(owner.principal.id)).toBe(2);
  });

  it("200 racing requests, with flushes running all along, are counted exactly 200 times", async () => {
    const { owner, bot } = await apiAccount();
    let answered = 0;
    const flushes = (async () => {
      // Batches written while requests are still being counted: none may be lost or written twice.
      while (answered < 200) {
        await usageWritten();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const worker = async () => {
      while (answered < 200) {
        answered += 1;
        const answer = await call("GET", `/bot_users/${bot.principal.id}`, { key: owner.key.token });
        expect(answer.status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    await flushes;
    await usageWritten();
    expect(answered).toBe(200);
    expect(await apiRequestsOf(owner.principal.id)).toBe(200);
  });

  it("writes on its own every interval, and what is left at stop", async () => {
    const { owner } = await apiAccount();
    const meter = new UsageMeter(undefined, undefined, 300);
    const usage = { accountId: owner.actor.account.id, principalId: owner.principal.id };
    for (let i = 0; i < 5; i++) meter.count({ ...usage, apiRequests: 1 });
    expect(await apiRequestsOf(owner.principal.id)).toBe(0);
    await vi.waitFor(async () => expect(await apiRequestsOf(owner.principal.id)).toBe(5), { timeout: 5_000, interval: 100 });
    expect(meter.idle).toBe(true);

    meter.count({ ...usage, apiRequests: 3 });
    await meter.stop();
    expect(meter.idle).toBe(true);
    expect(await apiRequestsOf(owner.principal.id)).toBe(8);
  });
});
