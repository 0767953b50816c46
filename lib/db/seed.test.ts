import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../domain/people/password";
import { seatSummaryText } from "../domain/accounts/get-seat-usage";
import { createPrismaClient, type Db } from "./client";
import { DEMO_ADMIN_EMAIL, seedDemoData } from "./seed";
import { freshDatabase } from "../test-support/fresh-database";

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
