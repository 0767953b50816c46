import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestPerson } from "../../test-support/factories";
import { race } from "../../test-support/races";
import { getSeatUsage } from "../accounts/get-seat-usage";
import { addPerson } from "./add-person";
import { changeRole } from "./change-role";
import { removePerson } from "./remove-person";
import { setPersonActive } from "./set-person-active";

// Seat and last-owner checks count rows, then write: two changes that each
// count before the other writes would both pass. The account row lock
// (lockAccount) makes them take turns; these trials show it.
const ctx = { ip: "192.0.2.91", userAgent: "vitest-races" };
const email = () => `racer-${Math.random().toString(36).slice(2)}@example.test`;

describe("people changes racing each other (real PostgreSQL)", () => {
  it("four adds for the last seat: exactly one wins, every time", async () => {
    const rounds = await race(20, async () => {
      const { account, owner } = await createTestAccount({ seatLimit: 2 });
      const admin = actorOf(account, owner, "owner");
      return Array.from({ length: 4 }, () => async () => ({ account: account.id, r: await addPerson(admin, { email: email(), name: "Racer", role: "member" }, ctx) }));
    });
    for (const results of rounds) {
      type Outcome = { account: string; r: { ok: boolean; code?: string } };
      const values = results.map((s): Outcome => (s.status === "fulfilled" ? (s.value as Outcome) : { account: "", r: { ok: false, code: String(s.reason) } }));
      expect(values.filter((v) => v.r.ok)).toHaveLength(1);
      expect(values.filter((v) => !v.r.ok).map((v) => v.r.code)).toEqual(["seat_limit", "seat_limit", "seat_limit"]);
      expect((await getSeatUsage(values[0]!.account)).used).toBe(2);
    }
  });

  it("a reactivation and an add for the last seat: never both", async () => {
    const rounds = await race(30, async () => {
      const { account, owner } = await createTestAccount({ seatLimit: 2 });
      const admin = actorOf(account, owner, "owner");
      const sleeper = await createTestPerson(account.id, "member");
      await setPersonActive(admin, { personId: sleeper.id, active: false }, ctx);
      return [
        async () => ({ account: account.id, ok: (await setPersonActive(admin, { personId: sleeper.id, active: true }, ctx)).ok }),
        async () => ({ account: account.id, ok: (await addPerson(admin, { email: email(), name: "Racer", role: "member" }, ctx)).ok }),
      ];
    });
    for (const results of rounds) {
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
      const [a, b] = results.map((r) => (r as PromiseFulfilledResult<{ account: string; ok: boolean }>).value);
      expect([a!.ok, b!.ok].filter(Boolean)).toHaveLength(1);
      expect((await getSeatUsage(a!.account)).used).toBe(2);
    }
  });

  it("two owners demoting and removing each other: the account always keeps an owner", async () => {
    const rounds = await race(30, async () => {
      const { account, owner } = await createTestAccount();
      const second = await createTestPerson(account.id, "owner");
      const first = actorOf(account, owner, "owner");
      const other = actorOf(account, second, "owner");
      return [
        async () => ({ account: account.id, r: await changeRole(first, { personId: second.id, role: "admin" }, ctx) }),
        async () => ({ account: account.id, r: await removePerson(other, { personId: owner.id }, ctx) }),
      ];
    });
    for (const results of rounds) {
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
      const [demote, remove] = results.map((r) => (r as PromiseFulfilledResult<{ account: string; r: { ok: boolean } }>).value);
      expect([demote!.r.ok, remove!.r.ok].filter(Boolean)).toHaveLength(1);
      const owners = await db().membership.count({ where: { accountId: demote!.account, role: "owner", status: "active" } });
      expect(owners).toBe(1);
    }
  });
});
