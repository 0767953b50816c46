import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { apiAccount, call } from "./client";

// Each API request is metered after its handler committed. A meter write that
// fails must not turn what happened into an error: a client that got a 500 for
// a bot it did create retries, and creates it twice.
describe("API request metering (real PostgreSQL)", () => {
  afterEach(async () => {
    vi.restoreAllMocks();
    await db().$executeRawUnsafe("DROP TRIGGER IF EXISTS usage_refused ON usage_daily");
  });

  it("a meter write that fails is logged; the create is still answered 201, once", async () => {
    const { owner } = await apiAccount();
    // The database refuses every usage write of this owner from now on (a real failure of the real statement).
    await db().$executeRawUnsafe(`CREATE OR REPLACE FUNCTION usage_refused() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'usage writes refused for this test'; END $$`);
    await db().$executeRawUnsafe(`CREATE TRIGGER usage_refused BEFORE INSERT OR UPDATE ON usage_daily
      FOR EACH ROW WHEN (NEW.principal_id = '${owner.principal.id}') EXECUTE FUNCTION usage_refused()`);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});

    const made = await call("POST", "/bot_users", { key: owner.key.token, body: { name: "metered-once" } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: "metered-once", active: true });
    expect(await db().principal.count({ where: { accountId: owner.actor.account.id, name: "metered-once" } })).toBe(1);
    // Reads are metered too: answered, not failed.
    expect((await call("GET", "/bot_users", { key: owner.key.token })).status).toBe(200);
    // One line (lib/server/log.ts): the route, what failed, the request's id, then the error.
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/^\[api\] bot_users\.create: the request was served but metering it failed \(request .+\) \S*Error/));
    expect(await db().usageDaily.count({ where: { principalId: owner.principal.id } })).toBe(0);
  });

  it("a meter write that works counts each served request once", async () => {
    const { owner } = await apiAccount();
    expect((await call("POST", "/bot_users", { key: owner.key.token, body: { name: "metered-twice" } })).status).toBe(201);
    expect((await call("GET", "/bot_users", { key: owner.key.token })).status).toBe(200);
    const [row] = await db().$queryRaw<{ n: bigint }[]>`SELECT api_requests AS n FROM usage_daily WHERE principal_id = ${owner.principal.id}`;
    expect(Number(row!.n)).toBe(2);
  });
});
