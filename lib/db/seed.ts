import { hashPassword } from "../domain/people/password";
import { recordEvent } from "../domain/events/record-event";
import { newId } from "../ids";
import type { PrismaClient } from "./generated/client";

import { DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL } from "./demo";

export { DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL };
const SEED_LOCK_KEY = 0x626f7464; // "botd"

/**
 * Creates the demo account on an EMPTY database only: "Acme" with 5 seats, an
 * owner, a member and three bots with a little history. Returns false and
 * changes nothing when any account already exists.
 */
export async function seedDemoData(prisma: PrismaClient, opts: { password: string; now?: Date }): Promise<boolean> {
  if ((await prisma.account.count()) > 0) return false;
  const passwordHash = await hashPassword(opts.password);
  const now = opts.now?.getTime() ?? Date.now();
  const ago = (minutes: number) => new Date(now - minutes * 60_000);

  return prisma.$transaction(async (tx) => {
    // Instances starting together on one empty database: one seeds, the others see its data.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SEED_LOCK_KEY})`;
    if ((await tx.account.count()) > 0) return false;
    const accountId = newId("account");
    await tx.account.create({
      data: {
        id: accountId,
        name: "Acme",
        plan: "team",
        seatLimit: 5,
        quotas: { sessions: 50, endpoints: 20, bandwidthGb: 100, apiCallsPerMonth: 1_000_000 },
        createdAt: ago(60 * 24 * 30),
      },
    });
    const admin = { id: newId("person"), name: "Ada Admin" };
    const member = { id: newId("person"), name: "Max Member" };
    for (const [p, email, role] of [
      [admin, DEMO_ADMIN_EMAIL, "owner"],
      [member, DEMO_MEMBER_EMAIL, "member"],
    ] as const) {
      await tx.principal.create({
        data: { id: p.id, kind: "person", name: p.name, email, passwordHash, createdAt: ago(60 * 24 * 30) },
      });
      await tx.membership.create({ data: { accountId, principalId: p.id, role, createdAt: ago(60 * 24 * 30) } });
    }

    const bots = [
      { name: "ci-deployer", createdMinutesAgo: 60 * 24 * 14 },
      { name: "edge-agent-prod", createdMinutesAgo: 60 * 24 * 7 },
      { name: "billing-sync", createdMinutesAgo: 60 * 24 * 2 },
    ].map((b) => ({ ...b, id: newId("bot", ago(b.createdMinutesAgo).getTime()) }));
    for (const bot of bots) {
      const createdAt = ago(bot.createdMinutesAgo);
      await tx.principal.create({
        data: { id: bot.id, kind: "bot", name: bot.name, nameKey: bot.name.toLowerCase(), accountId, createdById: admin.id, createdAt },
      });
      await recordEvent(tx, {
        accountId, type: "bot.created", principalId: admin.id, source: "dashboard",
        subject: { id: bot.id, name: bot.name }, data: { after: { name: bot.name, active: true } }, createdAt,
      });
    }
    const [ci, edge, billing] = bots as [typeof bots[number], typeof bots[number], typeof bots[number]];
    await recordEvent(tx, {
      accountId, type: "agent.session_started", principalId: edge.id, source: "agent", ip: "203.0.113.24",
      subject: { id: edge.id, name: edge.name }, data: { os: "linux", region: "eu" }, createdAt: ago(90),
    });
    await recordEvent(tx, {
      accountId, type: "api.request", principalId: billing.id, source: "api", ip: "198.51.100.7",
      data: { method: "GET", path: "/bot_users", status: 200 }, createdAt: ago(30),
    });
    await recordEvent(tx, {
      accountId, type: "api.request", principalId: ci.id, source: "api", ip: "192.0.2.10",
      data: { method: "POST", path: "/endpoints", status: 201 }, createdAt: ago(12),
    });
    return true;
  });
}
