import { hashPassword } from "../domain/people/password";
import { recordEvent } from "../domain/events/record-event";
import { newId } from "../ids";
import type { PrismaClient } from "./generated/client";

import { DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL } from "./demo";
import { PLAN_QUOTAS } from "../domain/quotas/plan-quotas";
import { seedHistory } from "./seed-history";
import { FIRST_ACCOUNT_LOCK_KEY } from "../domain/setup/setup-token";
import { botNameKeys } from "../validation/name-keys";

export { DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL };

/**
 * Creates the demo account on an EMPTY database only: "Acme" with 5 seats, an
 * owner, a member and three bots with credentials and a few weeks of history
 * (seed-history.ts). Returns false and
 * changes nothing when any account already exists.
 */
export async function seedDemoData(prisma: PrismaClient, opts: { password: string; now?: Date }): Promise<boolean> {
  if ((await prisma.account.count()) > 0) return false;
  const passwordHash = await hashPassword(opts.password);
  const now = opts.now?.getTime() ?? Date.now();
  const ago = (minutes: number) => new Date(now - minutes * 60_000);

  return prisma.$transaction(async (tx) => {
    // Instances starting together on one empty database: one seeds, the others see its data (and a setup never runs beside it).
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ACCOUNT_LOCK_KEY})`;
    if ((await tx.account.count()) > 0) return false;
    const accountId = newId("account");
    await tx.account.create({
      data: {
        id: accountId,
        name: "Acme",
        plan: "team",
        seatLimit: 5,
        quotas: PLAN_QUOTAS.team!,
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
      { name: "ci-deployer", createdMinutesAgo: 60 * 24 * 27 },
      { name: "edge-agent-prod", createdMinutesAgo: 60 * 24 * 20 },
      { name: "billing-sync", createdMinutesAgo: 60 * 24 * 2 },
    ].map((b) => ({ ...b, id: newId("bot", ago(b.createdMinutesAgo).getTime()) }));
    for (const bot of bots) {
      const createdAt = ago(bot.createdMinutesAgo);
      await tx.principal.create({
        data: { id: bot.id, kind: "bot", name: bot.name, ...botNameKeys(bot.name), accountId, createdById: admin.id, createdAt },
      });
      await recordEvent(tx, {
        accountId, type: "bot.created", principalId: admin.id, source: "dashboard",
        subject: { id: bot.id, name: bot.name }, data: { after: { name: bot.name, active: true } }, createdAt,
      });
    }
    const [ci, edge, billing] = bots as [typeof bots[number], typeof bots[number], typeof bots[number]];
    await seedHistory(tx, { accountId, now, admin, member, ci, edge, billing });
    return true;
  });
}
