import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { actorOf, createTestAccount, createTestPerson } from "@/lib/test-support/factories";
import { race } from "@/lib/test-support/races";
import { addPerson } from "@/lib/domain/people/add-person";
import { activeMemberWhere } from "@/lib/domain/principals/active-in-account";
import { updateAccount } from "./update-account";

const ctx = { ip: "198.51.100.8", userAgent: "vitest-account-races" };
let n = 0;
const email = () => `racer-${Date.now()}-${n++}@example.test`;

describe("the seat limit racing people being added", () => {
  it("never ends below the seats in use: lowering the limit and adding people at once, one of them waits for the account's row lock", async () => {
    const results = await race(12, async () => {
      const { account, owner } = await createTestAccount({ seatLimit: 4 });
      await createTestPerson(account.id); // 2 of 4 seats used
      const admin = actorOf(account, owner, "owner");
      return [
        async () => ({ account: account.id, kind: "limit", ok: (await updateAccount(admin, { seatLimit: 2 }, ctx)).ok }),
        ...Array.from({ length: 2 }, () => async () => ({ account: account.id, kind: "add", ok: (await addPerson(admin, { email: email(), name: "Racer", role: "member" }, ctx)).ok })),
        async () => ({ account: account.id, kind: "limit", ok: (await updateAccount(admin, { seatLimit: 2 }, ctx)).ok }),
      ];
    });
    for (const round of results) {
      expect(round.filter((r) => r.status === "rejected")).toEqual([]);
      const values = round.map((r) => (r as PromiseFulfilledResult<{ account: string; kind: string; ok: boolean }>).value);
      const accountId = values[0]!.account;
      const [row, used] = await Promise.all([
        db().account.findUniqueOrThrow({ where: { id: accountId } }),
        db().membership.count({ where: activeMemberWhere(accountId) }),
      ]);
      expect(used).toBeLessThanOrEqual(row.seatLimit);
      // Either the limit went to 2 and nobody was added, or people were added and the limit stayed.
      const limitOk = values.find((v) => v.kind === "limit")!.ok;
      const added = values.filter((v) => v.kind === "add" && v.ok).length;
      expect(limitOk ? added === 0 && row.seatLimit === 2 : added > 0 && row.seatLimit === 4).toBe(true);
    }
  });
});
