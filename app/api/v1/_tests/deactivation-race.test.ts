import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { REFUSAL_CODES } from "@/lib/api/errors";
import { REFUSALS_RECORDED_PER_MINUTE } from "@/lib/domain/access/authenticate-credential";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { usageWritten } from "@/lib/domain/usage/usage-meter";
import { apiAccount, call, type Answer } from "./client";

// 200 calls with one bot's API key, 50 in flight at a time, half reads and half
// writes (the bot creating API keys for itself); once 40 have been answered the
// bot is deactivated. Every call goes through the route handler Next.js runs,
// with a real Request, against the real PostgreSQL test database. Nothing in
// the API caches a verification: a call sent after the deactivation committed
// is refused, and each call the key was admitted for is metered once.
const CALLS = 200;
const IN_FLIGHT = 50;
const DEACTIVATE_AFTER = 40;
const ctx = { ip: "192.0.2.93", userAgent: "vitest-races" };

describe("a bot's API key while the bot is being deactivated (real PostgreSQL)", () => {
  it("200 parallel calls: none sent after the deactivation committed succeeds; usage and events count exactly the successes", async () => {
    const { owner, bot } = await apiAccount();
    const results: { sentAt: number; answer: Answer; write: boolean }[] = [];
    let committedAt = Infinity;
    let deactivation: Promise<unknown> | undefined;
    let next = 0;
    const worker = async () => {
      while (next < CALLS) {
        const i = next++;
        const write = i % 2 === 1;
        const sentAt = performance.now();
        const answer = write
          ? await call("POST", "/api_keys", { key: bot.key.token, body: { description: `racer ${i}` } })
          : await call("GET", "/api_keys", { key: bot.key.token });
        results.push({ sentAt, answer, write });
        if (results.length === DEACTIVATE_AFTER) {
          deactivation = setBotsActive(owner.actor, { ids: [bot.principal.id], active: false }, ctx).then((r) => {
            committedAt = performance.now();
            expect(r).toMatchObject({ ok: true });
          });
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await deactivation;

    expect(results).toHaveLength(CALLS);
    const served = results.filter((r) => r.answer.status < 400);
    const refused = results.filter((r) => r.answer.status >= 400);
    // Only two answers: served, or refused because the owner is deactivated (never a 5xx, never a 429).
    for (const r of served) expect(r.answer.status).toBe(r.write ? 201 : 200);
    for (const r of refused) expect([r.answer.status, r.answer.body?.error_code]).toEqual([403, REFUSAL_CODES.owner_deactivated]);
    // The race happened: calls were served before, and refused after.
    expect(served.length).toBeGreaterThanOrEqual(DEACTIVATE_AFTER);
    const sentAfter = results.filter((r) => r.sentAt > committedAt);
    expect(sentAfter.length).toBeGreaterThan(50);
    expect(sentAfter.filter((r) => r.answer.status < 400)).toEqual([]);

    // Usage: every served call metered once, no refused one (counted in memory, written in batches: written now).
    await usageWritten();
    const [usage] = await db().$queryRaw<{ n: bigint }[]>`SELECT COALESCE(SUM(api_requests), 0)::bigint AS n FROM usage_daily WHERE principal_id = ${bot.principal.id}`;
    expect(Number(usage!.n)).toBe(served.length);
    // Events: one credential.created per key the bot was answered 201 for, and exactly those keys exist.
    const createdIds = served.filter((r) => r.write).map((r) => r.answer.body.id as string).sort();
    const created = await db().event.findMany({ where: { principalId: bot.principal.id, type: "credential.created" }, select: { subjectId: true } });
    expect(created.map((e) => e.subjectId).sort()).toEqual(createdIds);
    const keys = await db().credential.findMany({ where: { ownerId: bot.principal.id, id: { not: bot.key.id } }, select: { id: true } });
    expect(keys.map((k) => k.id).sort()).toEqual(createdIds);
    // One deactivation; each refusal recorded, up to the flood cap.
    expect(await db().event.count({ where: { subjectId: bot.principal.id, type: "bot.deactivated" } })).toBe(1);
    expect(await db().event.count({ where: { principalId: bot.principal.id, type: "credential.refused" } })).toBe(Math.min(refused.length, REFUSALS_RECORDED_PER_MINUTE));
    // And none of the keys it made in the race works now.
    const token = served.find((r) => r.write)!.answer.body.token as string;
    expect((await call("GET", "/api_keys", { key: token })).status).toBe(403);
  });
});
