import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestBot } from "../../test-support/factories";
import { eventsQuerySchema } from "../../validation/events";
import { exportEvents } from "./export-events";

// A large export (what GET /activity/export returns: the route hands this
// stream to the response unchanged) is read batch by batch while it is sent:
// the heap holds one batch, not the result, and rows are read after the first
// bytes went out.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const EVENTS = 100_000;
const MB = 1024 * 1024;

function heapAfterGc(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

describe("a large export", () => {
  it("streams 100,000 events in bounded memory, reading rows after the first bytes were sent", { timeout: 120_000 }, async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const recent = await createTestBot(account.id, "recent-bot");
    const early = await createTestBot(account.id, "early-bot");
    // The newer half by one bot, the older half by another (the stream is newest first).
    await db().$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL statement_timeout = 0`;
      await tx.$executeRaw`
        INSERT INTO events (id, account_id, type, principal_id, source, bot_id, ip, data, created_at)
        SELECT 'ev_large' || lpad(g::text, 7, '0'), ${account.id}, 'credential.refused', p, 'api', p, '203.0.113.7',
               jsonb_build_object('reason', 'revoked', 'path', '/v1/bot_users/' || g), now() - interval '1 hour' - g * interval '1 second'
        FROM (SELECT g, CASE WHEN g <= ${EVENTS / 2} THEN ${recent.id} ELSE ${early.id} END AS p FROM generate_series(1, ${EVENTS}) g) s`;
    }, { timeout: 120_000 });

    const baseline = heapAfterGc();
    const stream = await exportEvents(admin, eventsQuerySchema.parse({}), "ndjson", { ip: null, userAgent: null });
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let peak = heapAfterGc() - baseline;

    const first = await reader.read();
    const firstLines = decoder.decode(first.value).trim().split("\n");
    // The first bytes are one batch of the newest rows, not the whole result.
    expect(firstLines.length).toBeLessThanOrEqual(1000);
    expect(JSON.parse(firstLines[0]!)).toMatchObject({ id: "ev_large0000001", actor_name: "recent-bot" });

    // Renamed while the export is under way: rows read from now on carry the new name.
    await db().principal.update({ where: { id: early.id }, data: { name: "early-bot-renamed", nameKey: "early-bot-renamed" } });

    let rows = firstLines.length;
    let chunks = 1;
    let last = "";
    const actors = new Set<string>();
    let pending = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      pending += decoder.decode(value, { stream: true });
      const lines = pending.split("\n");
      pending = lines.pop()!;
      rows += lines.length;
      for (const line of [lines[0], lines[lines.length - 1]]) if (line) actors.add((JSON.parse(line) as { actor_name: string }).actor_name);
      if (lines.length > 0) last = lines[lines.length - 1]!;
      if (chunks % 20 === 0) peak = Math.max(peak, heapAfterGc() - baseline);
    }
    peak = Math.max(peak, heapAfterGc() - baseline);

    expect(rows).toBe(EVENTS);
    expect(chunks).toBeGreaterThanOrEqual(EVENTS / 1000);
    expect(JSON.parse(last)).toMatchObject({ id: `ev_large${String(EVENTS).padStart(7, "0")}`, actor_name: "early-bot-renamed" });
    expect(actors.has("early-bot")).toBe(false);
    // 100,000 rows as objects take about 70 MB; one batch of 1,000 a few.
    expect(peak / MB, `heap growth while streaming: ${(peak / MB).toFixed(1)} MB`).toBeLessThan(32);
  });
});
