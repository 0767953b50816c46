import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "../../test-support/factories";
import { listCredentialsQuerySchema } from "../../validation/credentials";
import { listPeopleQuerySchema } from "../../validation/people-admin";
import { getSeatUsage } from "../accounts/get-seat-usage";
import { deleteBots } from "../bots/delete-bots";
import { setBotsActive } from "../bots/set-bots-active";
import { createCredential } from "../credentials/create-credential";
import { listCredentials, listOwnedCredentials } from "../credentials/list-credentials";
import { verifyCredential } from "../credentials/verify-credential";
import { listPeople } from "../people/list-people";
import { removePerson } from "../people/remove-person";
import { setPersonActive } from "../people/set-person-active";
import { activeInAccountSql, activeInAccountWhere, activeMemberWhere, standingIn, standingSelect } from "./active-in-account";

const ctx = { ip: "192.0.2.93", userAgent: "vitest" };

/**
 * One account with a credential owner in each state, each reached the way a
 * user reaches it (the dashboard's own functions), plus a bot tombstoned
 * without its credentials being deleted (what a lost race used to leave).
 */
async function ownersInEveryState() {
  const { account, owner } = await createTestAccount({ seatLimit: 10 });
  const admin = actorOf(account, owner, "owner");
  const person = async () => {
    const p = await createTestPerson(account.id, "member");
    const created = await createCredential(actorOf(account, p, "member"), { kind: "api_key" }, ctx);
    if (!created.ok) throw new Error(created.message);
    return { id: p.id, token: created.data.token!, credentialId: created.data.credential.id };
  };
  const bot = async () => {
    const b = await createTestBot(account.id);
    const created = await createCredential(admin, { kind: "authtoken", ownerId: b.id }, ctx);
    if (!created.ok) throw new Error(created.message);
    return { id: b.id, token: created.data.token!, credentialId: created.data.credential.id };
  };
  const owners = {
    "active person": await person(),
    "person deactivated in the account": await person(),
    "person removed from the account": await person(),
    "person deactivated everywhere": await person(),
    "active bot": await bot(),
    "deactivated bot": await bot(),
    "deleted bot (tombstone with a leftover credential)": await bot(),
  };
  await setPersonActive(admin, { personId: owners["person deactivated in the account"].id, active: false }, ctx);
  await removePerson(admin, { personId: owners["person removed from the account"].id }, ctx);
  await db().principal.update({ where: { id: owners["person deactivated everywhere"].id }, data: { status: "deactivated" } });
  await setBotsActive(admin, { ids: [owners["deactivated bot"].id], active: false }, ctx);
  await db().principal.update({
    where: { id: owners["deleted bot (tombstone with a leftover credential)"].id },
    data: { deletedAt: new Date(), nameKey: null, status: "deactivated" },
  });
  return { account, admin, owners };
}

describe("the one active-owner rule", () => {
  it("what every credential list shows is what verification enforces, for every owner state", async () => {
    const { admin, owners } = await ownersInEveryState();
    const list = async (status: string) => {
      const page = await listCredentials(admin, listCredentialsQuerySchema.parse({ status, size: "100" }));
      if (!page.ok) throw new Error(page.message);
      return page.data.rows;
    };
    const [all, active, suspended] = [await list("all"), await list("active"), await list("suspended")];
    const seen: Record<string, { verified: boolean; listed: string; owned: string; inActive: boolean; inSuspended: boolean }> = {};
    for (const [state, o] of Object.entries(owners)) {
      const verified = (await verifyCredential(o.token)).ok;
      const owned = (await listOwnedCredentials(admin, o.id)).find((c) => c.id === o.credentialId)?.status ?? "missing";
      seen[state] = {
        verified,
        listed: all.find((c) => c.id === o.credentialId)?.status ?? "missing",
        owned,
        inActive: active.some((c) => c.id === o.credentialId),
        inSuspended: suspended.some((c) => c.id === o.credentialId),
      };
    }
    const works = { verified: true, listed: "active", owned: "active", inActive: true, inSuspended: false };
    const refused = { verified: false, listed: "suspended", owned: "suspended", inActive: false, inSuspended: true };
    expect(seen).toEqual({
      "active person": works,
      "person deactivated in the account": refused,
      "person removed from the account": refused,
      "person deactivated everywhere": refused,
      "active bot": works,
      "deactivated bot": refused,
      "deleted bot (tombstone with a leftover credential)": refused,
    });
  });

  it("a bot deleted the normal way leaves no credential to list, and its token is refused", async () => {
    const { admin, owners } = await ownersInEveryState();
    const bot = owners["active bot"];
    await deleteBots(admin, { ids: [bot.id] }, ctx);
    const page = await listCredentials(admin, listCredentialsQuerySchema.parse({ owner: bot.id }));
    expect(page).toMatchObject({ ok: true, data: { total: 0 } });
    expect(await verifyCredential(bot.token)).toMatchObject({ ok: false });
  });

  it("its four forms (predicate, principal where, membership where, SQL) agree, and seats and the people list follow it", async () => {
    const { account, owners } = await ownersInEveryState();
    const ids = Object.values(owners).map((o) => o.id);
    const byPredicate = (await db().principal.findMany({ where: { id: { in: ids } }, select: { id: true, ...standingSelect(account.id) } }))
      .filter((p) => standingIn(p, account.id) === "active")
      .map((p) => p.id);
    const byWhere = (await db().principal.findMany({ where: { id: { in: ids }, ...activeInAccountWhere(account.id) }, select: { id: true } })).map((p) => p.id);
    const bySql = (await db().$queryRaw<{ id: string }[]>`SELECT p.id FROM principals p WHERE p.id = ANY(${ids}::text[]) AND ${activeInAccountSql("p", account.id)}`).map((p) => p.id);
    const members = (await db().membership.findMany({ where: { principalId: { in: ids }, ...activeMemberWhere(account.id) }, select: { principalId: true } })).map((m) => m.principalId);
    const expected = [owners["active person"].id, owners["active bot"].id].sort();
    expect(byPredicate.sort()).toEqual(expected);
    expect(byWhere.sort()).toEqual(expected);
    expect(bySql.sort()).toEqual(expected);
    expect(members).toEqual([owners["active person"].id]);

    // The account owner and the one active person hold seats; nobody else does.
    expect((await getSeatUsage(account.id)).used).toBe(2);
    const people = (await listPeople(account.id, listPeopleQuerySchema.parse({ size: "100" }))).rows;
    const shown = Object.fromEntries(people.map((p) => [p.id, p.active]));
    expect(shown[owners["active person"].id]).toBe(true);
    expect(shown[owners["person deactivated in the account"].id]).toBe(false);
    expect(shown[owners["person deactivated everywhere"].id]).toBe(false);
    expect(owners["person removed from the account"].id in shown).toBe(false);
    const activeOnly = await listPeople(account.id, listPeopleQuerySchema.parse({ status: "active", size: "100" }));
    expect(activeOnly.rows.every((p) => p.active)).toBe(true);
    expect(activeOnly.total).toBe(2);
  });

  it("a deactivated or removed person gets no new credential, a deactivated bot does (suspended)", async () => {
    const { admin, owners } = await ownersInEveryState();
    for (const state of ["person deactivated in the account", "person removed from the account", "person deactivated everywhere", "deleted bot (tombstone with a leftover credential)"] as const) {
      expect(await createCredential(admin, { kind: "api_key", ownerId: owners[state].id }, ctx)).toMatchObject({ ok: false, code: "not_found" });
    }
    const forSleeper = await createCredential(admin, { kind: "api_key", ownerId: owners["deactivated bot"].id }, ctx);
    expect(forSleeper).toMatchObject({ ok: true, data: { credential: { status: "suspended" } } });
  });
});
