import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../domain/people/password";
import { seatSummaryText } from "../domain/accounts/get-seat-usage";
import { createPrismaClient, type Db } from "./client";
import { DEMO_ADMIN_EMAIL, seedDemoData } from "./seed";
import { freshDatabase } from "../test-support/fresh-database";
import { quotasOf } from "../domain/quotas/plan-quotas";
import { isEventType } from "../domain/events/catalogue";

// A database of its own: the shared test database is never empty.
let database: Awaited<ReturnType<typeof freshDatabase>>;
let prisma: Db;

beforeAll(async () => {
  database = await freshDatabase();
  prisma = createPrismaClient(database.url, 1);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await database?.stop();
});

describe("demo data", () => {
  it("seeds an empty database once: Acme, 2 of 5 seats, three bots with history, a working owner password", async () => {
    expect(await seedDemoData(prisma, { password: "pw-123456" })).toBe(true);
    const account = await prisma.account.findFirstOrThrow({ where: { name: "Acme" } });
    const bots = await prisma.principal.findMany({ where: { accountId: account.id, kind: "bot" } });
    expect(bots.map((b) => b.name).sort()).toEqual(["billing-sync", "ci-deployer", "edge-agent-prod"]);
    expect(await prisma.event.count({ where: { principalId: { in: bots.map((b) => b.id) } } })).toBeGreaterThan(0);
    const owner = await prisma.principal.findFirstOrThrow({ where: { email: DEMO_ADMIN_EMAIL } });
    expect(await verifyPassword(owner.passwordHash, "pw-123456")).toBe(true);
    const people = await prisma.membership.count({ where: { accountId: account.id, status: "active" } });
    expect(seatSummaryText({ used: people, limit: account.seatLimit, bots: bots.length })).toBe("2 of 5 seats used · 3 bots (bots don't use seats)");
  });

  it("seeds a true history: every API write and agent session by a bot with a credential it owned then, usage for the charts, insights to show", async () => {
    const account = await prisma.account.findFirstOrThrow({ where: { name: "Acme" } });
    // Everything done through the API or an agent is done with a credential its principal owned then.
    const orphans = await prisma.$queryRaw<{ id: string; type: string }[]>`
      SELECT e.id, e.type FROM events e
      WHERE e.source IN ('api', 'agent')
        AND NOT EXISTS (SELECT 1 FROM credentials c WHERE c.id = e.credential_id AND c.owner_id = e.principal_id AND c.created_at <= e.created_at)`;
    expect(orphans).toEqual([]);
    // API writes are the events the API's actions record (ci-deployer stamping its deploys into its key), never a type no code records.
    expect(await prisma.event.count({ where: { accountId: account.id, type: "credential.updated", source: "api" } })).toBeGreaterThan(20);
    const types = (await prisma.event.findMany({ where: { accountId: account.id }, distinct: ["type"], select: { type: true } })).map((e) => e.type);
    expect(types.filter((t) => !isEventType(t))).toEqual([]);
    const key = await prisma.credential.findFirstOrThrow({ where: { accountId: account.id, description: "GitHub Actions deploys" } });
    const lastDeploy = await prisma.event.findFirstOrThrow({ where: { subjectId: key.id, type: "credential.updated" }, orderBy: { createdAt: "desc" } });
    expect(lastDeploy).toMatchObject({ principalId: key.ownerId, credentialId: key.id, data: { after: { metadata: key.metadata } } });
    expect(await prisma.event.count({ where: { accountId: account.id, type: "agent.session_started" } })).toBeGreaterThan(10);
    expect(await prisma.event.count({ where: { createdAt: { gt: new Date() } } })).toBe(0);
    // Each session started is metered once, and has its row and its end.
    const [counts] = await prisma.$queryRaw<{ sessions: bigint; metered: bigint; ended: bigint; started: bigint }[]>`
      SELECT (SELECT count(*) FROM tunnel_sessions) AS sessions, (SELECT sum(sessions) FROM usage_daily) AS metered,
             (SELECT count(*) FROM events WHERE type = 'agent.session_ended') AS ended, (SELECT count(*) FROM events WHERE type = 'agent.session_started') AS started`;
    expect(new Set(Object.values(counts!).map(Number)).size).toBe(1);
    expect(Number((await prisma.usageDaily.aggregate({ _sum: { apiRequests: true } }))._sum.apiRequests)).toBeGreaterThan(1000);
    // Each bot's last activity is its latest use (billing-sync only reads, which leaves no event); a never-used and an expiring credential for the insights.
    for (const bot of await prisma.principal.findMany({ where: { accountId: account.id, kind: "bot" } })) {
      const latest = await prisma.event.findFirst({ where: { principalId: bot.id }, orderBy: { createdAt: "desc" } });
      const lastUsed = await prisma.credential.aggregate({ where: { ownerId: bot.id }, _max: { lastUsedAt: true } });
      expect(bot.lastActivityAt!.getTime()).toBe(Math.max(latest?.createdAt.getTime() ?? 0, lastUsed._max.lastUsedAt!.getTime()));
    }
    expect(await prisma.credential.count({ where: { accountId: account.id, lastUsedAt: null } })).toBeGreaterThanOrEqual(2);
    expect(await prisma.credential.count({ where: { accountId: account.id, expiresAt: { gt: new Date(), lt: new Date(Date.now() + 7 * 86_400_000) } } })).toBe(1);
    // The demo stays under every quota of its plan (no over-quota banner on a fresh start), whichever day it is seeded.
    const [sums] = await prisma.$queryRaw<{ sessions: bigint; endpoints: bigint; bandwidth: bigint; api: bigint }[]>`
      SELECT sum(sessions)::bigint AS sessions, sum(endpoints)::bigint AS endpoints, sum(bytes_in + bytes_out)::bigint AS bandwidth, sum(api_requests)::bigint AS api
      FROM usage_daily WHERE account_id = ${account.id}`;
    const quotas = quotasOf(account.plan, account.quotas);
    expect(Number(sums!.sessions)).toBeLessThanOrEqual(quotas.sessions);
    expect(Number(sums!.endpoints)).toBeLessThanOrEqual(quotas.endpoints);
    expect(Number(sums!.bandwidth)).toBeLessThanOrEqual(quotas.bandwidthGb * 1e9);
    expect(Number(sums!.api)).toBeLessThanOrEqual(quotas.apiRequests);
  });

  it("never reseeds a database that has data", async () => {
    const before = await prisma.principal.count();
    expect(await seedDemoData(prisma, { password: "another" })).toBe(false);
    expect(await prisma.principal.count()).toBe(before);
    expect(await prisma.account.count()).toBe(1);
  });
});

describe("demo data with several instances starting together", () => {
  it("is seeded by exactly one of them", async () => {
    const fresh = await freshDatabase();
    // Eight instances, each with its own connection, all finding the database empty at once.
    const instances = Array.from({ length: 8 }, () => createPrismaClient(fresh.url, 1));
    try {
      const results = await Promise.all(instances.map((p, i) => seedDemoData(p, { password: `pw-${i}` })));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await instances[0]!.account.count()).toBe(1);
      expect(await instances[0]!.principal.count({ where: { kind: "bot" } })).toBe(3);
    } finally {
      await Promise.all(instances.map((p) => p.$disconnect()));
      await fresh.stop();
    }
  });
});
