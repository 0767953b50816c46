import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { createTestAccount, createTestBot, createTestPerson } from "../../test-support/factories";
import { getSeatUsage, seatSummaryText } from "./get-seat-usage";

describe("seat usage", () => {
  it("counts active people only: bots, deactivated people and removed people use no seat", async () => {
    const { account } = await createTestAccount({ seatLimit: 3 });
    await createTestPerson(account.id);
    const gone = await createTestPerson(account.id);
    const suspended = await createTestPerson(account.id);
    for (let i = 0; i < 4; i++) await createTestBot(account.id);
    const deleted = await createTestBot(account.id);
    await db().principal.update({ where: { id: deleted.id }, data: { deletedAt: new Date(), nameKey: null } });
    await db().membership.update({ where: { accountId_principalId: { accountId: account.id, principalId: gone.id } }, data: { status: "deactivated" } });
    await db().principal.update({ where: { id: suspended.id }, data: { status: "deactivated" } });

    const usage = await getSeatUsage(account.id);
    expect(usage).toEqual({ used: 2, limit: 3, bots: 4, atLimit: false });
    expect(seatSummaryText(usage)).toBe("2 of 3 seats used · 4 bots (bots don't use seats)");
    expect(seatSummaryText({ used: 1, limit: 1, bots: 1 })).toBe("1 of 1 seats used · 1 bot (bots don't use seats)");

    await createTestPerson(account.id);
    expect((await getSeatUsage(account.id)).atLimit).toBe(true);
  });
});
