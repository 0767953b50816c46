import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createTestAccount, createTestBot, createTestPerson } from "@/lib/test-support/factories";
import { listPeopleQuerySchema } from "@/lib/validation/people-admin";
import { getSeatUsage } from "@/lib/domain/accounts/get-seat-usage";
import { listPeople } from "./list-people";

describe("seat review (the people table)", () => {
  it("shows each person's role, last sign-in, last activity and whether they hold a seat; bots are never listed and hold none", async () => {
    const { account, owner } = await createTestAccount({ seatLimit: 5 });
    const member = await createTestPerson(account.id, "member");
    const gone = await createTestPerson(account.id, "admin");
    await db().membership.update({ where: { accountId_principalId: { accountId: account.id, principalId: gone.id } }, data: { status: "deactivated" } });
    const signedIn = new Date("2026-11-20T09:00:00Z");
    const acted = new Date("2026-11-21T10:00:00Z");
    await db().principal.update({ where: { id: member.id }, data: { lastSignInAt: signedIn, lastActivityAt: acted } });
    await createTestBot(account.id);
    const page = await listPeople(account.id, listPeopleQuerySchema.parse({ sort: "name" }));
    const byId = new Map(page.rows.map((r) => [r.id, r]));
    expect(page.rows).toHaveLength(3);
    expect(byId.get(member.id)).toMatchObject({ role: "member", active: true, lastSignInAt: signedIn, lastActivityAt: acted });
    expect(byId.get(owner.id)).toMatchObject({ role: "owner", active: true, lastSignInAt: null, lastActivityAt: null });
    expect(byId.get(gone.id)).toMatchObject({ role: "admin", active: false });
    // Holding a seat in the table is exactly what the seat count counts.
    expect(page.rows.filter((r) => r.active)).toHaveLength((await getSeatUsage(account.id)).used);
  });
});
