import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { actorOf, createTestAccount, createTestPerson } from "@/lib/test-support/factories";
import { deleteReservedDomain } from "./delete-reserved-domain";
import { getReservedDomain, listReservedDomainsBefore, listReservedDomainsPage } from "./read-reserved-domains";
import { reserveDomain } from "./reserve-domain";
import { updateReservedDomain } from "./update-reserved-domain";
import { agentOf, bindAs } from "@/lib/test-support/agents";

const CTX = { ip: "203.0.113.9", userAgent: "test" };
/** A zone of names no other test of this file uses. */
const zone = () => `z${randomBytes(4).toString("hex")}.example.com`;

async function accountWith(role: "owner" | "admin" | "member" = "owner") {
  const { account, owner } = await createTestAccount();
  const person = role === "owner" ? owner : await createTestPerson(account.id, role);
  return { account, actor: actorOf(account, person, role), owner: actorOf(account, owner, "owner") };
}

async function reserved(actor: Awaited<ReturnType<typeof accountWith>>["actor"], domain: string) {
  const r = await reserveDomain(actor, { domain }, CTX);
  if (!r.ok) throw new Error(`${domain}: ${r.code} ${r.message}`);
  return r.data;
}

const events = (accountId: string, type: string) => db().event.findMany({ where: { accountId, type }, orderBy: { id: "asc" } });

describe("reserveDomain", () => {
  it("reserves exact names and wildcards for owners and admins, normalised, with reserved_domain.created in the same transaction", async () => {
    const z = zone();
    const { account, actor } = await accountWith("admin");
    const exact = await reserveDomain(actor, { domain: ` App.${z.toUpperCase()}. `, description: "the app", metadata: '{"team":"web"}', region: "eu" }, CTX);
    expect(exact).toMatchObject({ ok: true, data: { domain: `app.${z}`, description: "the app", metadata: '{"team":"web"}', region: "eu" } });
    const wildcard = await reserveDomain(actor, { domain: `*.${z}` }, CTX);
    expect(wildcard).toMatchObject({ ok: true, data: { domain: `*.${z}`, description: "", region: null } });
    if (!exact.ok) return;
    expect(exact.data.id).toMatch(/^rd_/);
    const [event] = await events(account.id, "reserved_domain.created");
    expect(event).toMatchObject({ principalId: actor.principal.id, source: "dashboard", subjectId: exact.data.id, subjectName: `app.${z}`, subjectKind: "domain", ip: CTX.ip });
    expect(event!.data).toEqual({ after: { domain: `app.${z}`, description: "the app", metadata: '{"team":"web"}', region: "eu" } });
  });

  it("refuses members (and bots, which act as members) and changes nothing", async () => {
    const { account, actor } = await accountWith("member");
    expect(await reserveDomain(actor, { domain: `app.${zone()}` }, CTX)).toMatchObject({ ok: false, code: "not_admin" });
    expect(await reserveDomain({ ...actor, principal: { id: "bot_x", name: "b", kind: "bot" }, source: "api" }, { domain: `a.${zone()}` }, CTX)).toMatchObject({
      ok: false,
      code: "not_admin",
    });
    expect(await db().reservedDomain.count({ where: { accountId: account.id } })).toBe(0);
  });

  it.each([
    ["not a domain", "app example.com", /" " can't be used/],
    ["a single label", "intranet", /at least two parts/],
    ["a wildcard inside", "a.*.example.com", /only the whole first part/],
    ["a label over 63", `${"a".repeat(64)}.example.com`, /longer than 63/],
    ["a name over 253", `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.com`, /at most 253/],
  ])("refuses %s with the domain field's error", async (_what, domain, message) => {
    const { actor } = await accountWith();
    const r = await reserveDomain(actor, { domain }, CTX);
    expect(r).toMatchObject({ ok: false, code: "invalid_input" });
    if (!r.ok) expect(r.fieldErrors?.domain).toMatch(message);
  });

  it("refuses the tunnel domain, its wildcard and its parent, and reserves names under it like any other", async () => {
    const { actor } = await accountWith();
    expect(await reserveDomain(actor, { domain: "tunnel.localhost" }, CTX)).toMatchObject({ ok: false, code: "tunnel_domain" });
    expect(await reserveDomain(actor, { domain: "*.tunnel.localhost" }, CTX)).toMatchObject({ ok: false, code: "tunnel_domain_wildcard" });
    const name = `myapp-${randomBytes(3).toString("hex")}.tunnel.localhost`;
    expect(await reserveDomain(actor, { domain: name }, CTX)).toMatchObject({ ok: true, data: { domain: name } });
  });

  it("refuses a name this account has (ERR_NGROK_413's case) and any overlap with another account's, both ways", async () => {
    const z = zone();
    const a = await accountWith();
    const b = await accountWith();
    await reserved(a.actor, `app.${z}`);
    await reserved(a.actor, `*.w.${z}`);
    expect(await reserveDomain(a.actor, { domain: `APP.${z}` }, CTX)).toMatchObject({ ok: false, code: "domain_already_reserved", fieldErrors: { domain: expect.any(String) } });
    // The same account may hold overlapping names.
    expect((await reserveDomain(a.actor, { domain: `*.${z}` }, CTX)).ok).toBe(true);
    const c = await accountWith();
    const y = zone();
    await reserved(c.actor, `a.${y}`);
    await reserved(c.actor, `*.b.${y}`);
    for (const [domain, code] of [
      [`app.${z}`, "domain_reserved_elsewhere"], // the same name
      [`x.app.${z}`, "domain_reserved_elsewhere"], // under another account's name
      [`x.w.${z}`, "domain_reserved_elsewhere"], // under another account's wildcard
      [`*.${y}`, "wildcard_conflict"], // a wildcard over another account's name
      [`*.x.b.${y}`, "wildcard_conflict"], // a wildcard under another account's wildcard
      [y, "domain_reserved_elsewhere"], // a name above another account's
    ] as const) {
      expect(await reserveDomain(b.actor, { domain }, CTX), domain).toMatchObject({ ok: false, code });
    }
    expect(await db().reservedDomain.count({ where: { accountId: b.account.id } })).toBe(0);
    // Siblings and look-alikes are not overlaps.
    expect((await reserveDomain(b.actor, { domain: `c.${y}` }, CTX)).ok).toBe(true);
    expect((await reserveDomain(b.actor, { domain: `my${y}` }, CTX)).ok).toBe(true);
  });

  it("refuses a name another account is serving (a random name Botdesk handed out): ERR_NGROK_430's case", async () => {
    const a = await accountWith();
    const b = await accountWith();
    const agent = await agentOf(a.owner);
    const random = `${randomBytes(6).toString("hex")}.tunnel.localhost`;
    expect(await bindAs(agent, random, { assigned: true })).toMatchObject({ ok: true });
    expect(await reserveDomain(b.actor, { domain: random }, CTX)).toMatchObject({ ok: false, code: "domain_in_use" });
    expect(await reserveDomain(b.actor, { domain: `*.${random}` }, CTX)).toMatchObject({ ok: false, code: "domain_in_use" });
    // The account serving it may reserve it.
    expect((await reserveDomain(a.actor, { domain: random }, CTX)).ok).toBe(true);
  });
});

describe("updateReservedDomain and deleteReservedDomain", () => {
  it("change the description and metadata only, release the name for anyone, and record each change", async () => {
    const z = zone();
    const a = await accountWith("admin");
    const b = await accountWith();
    const d = await reserved(a.actor, `app.${z}`);
    expect(await updateReservedDomain(a.actor, { id: d.id, description: "prod" }, CTX)).toMatchObject({ ok: true, data: { description: "prod", metadata: "" } });
    // Nothing changed: no event.
    expect(await updateReservedDomain(a.actor, { id: d.id, description: "prod" }, CTX)).toMatchObject({ ok: true });
    const [updated, ...more] = await events(a.account.id, "reserved_domain.updated");
    expect(more).toEqual([]);
    expect(updated!.data).toEqual({ domain: `app.${z}`, before: { description: "" }, after: { description: "prod" } });
    expect(await updateReservedDomain(a.actor, { id: d.id, description: "x\u202Ey" }, CTX)).toMatchObject({ ok: false, code: "invalid_input" });

    // Another account's id is not found, for reads and writes alike.
    expect(await getReservedDomain(b.actor, d.id)).toBeNull();
    expect(await updateReservedDomain(b.actor, { id: d.id, description: "mine" }, CTX)).toMatchObject({ ok: false, code: "not_found" });
    expect(await deleteReservedDomain(b.actor, { id: d.id }, CTX)).toMatchObject({ ok: false, code: "not_found" });
    const member = actorOf(a.account, await createTestPerson(a.account.id, "member"), "member");
    expect(await deleteReservedDomain(member, { id: d.id }, CTX)).toMatchObject({ ok: false, code: "not_admin" });
    expect(await getReservedDomain(member, d.id)).toMatchObject({ domain: `app.${z}`, description: "prod" });

    expect(await deleteReservedDomain(a.actor, { id: d.id }, CTX)).toEqual({ ok: true, data: { id: d.id, domain: `app.${z}` } });
    const [deleted] = await events(a.account.id, "reserved_domain.deleted");
    expect(deleted).toMatchObject({ subjectId: d.id, subjectName: `app.${z}` });
    expect(deleted!.data).toEqual({ before: { domain: `app.${z}`, description: "prod", metadata: "", region: null } });
    expect(await deleteReservedDomain(a.actor, { id: d.id }, CTX)).toMatchObject({ ok: false, code: "not_found" });
    expect((await reserveDomain(b.actor, { domain: `app.${z}` }, CTX)).ok).toBe(true);
  });
});

describe("reading reservations", () => {
  it("pages newest first for everyone in the account, by id for the API and by page for Settings", async () => {
    const z = zone();
    const a = await accountWith();
    const names = [];
    for (let i = 0; i < 5; i++) names.push((await reserved(a.actor, `n${i}.${z}`)).domain);
    const member = actorOf(a.account, await createTestPerson(a.account.id, "member"), "member");
    const first = await listReservedDomainsBefore(member, { beforeId: null, limit: 2 });
    expect(first.rows.map((r) => r.domain)).toEqual([names[4], names[3]]);
    expect(first.hasMore).toBe(true);
    const rest = await listReservedDomainsBefore(member, { beforeId: first.rows[1]!.id, limit: 10 });
    expect(rest).toMatchObject({ hasMore: false, rows: [{ domain: names[2] }, { domain: names[1] }, { domain: names[0] }] });
    expect(await listReservedDomainsPage(member, { page: 2, size: 2 })).toMatchObject({ total: 5, page: 2, pageCount: 3, rows: [{ domain: names[2] }, { domain: names[1] }] });
    // Past the end: the last page.
    expect((await listReservedDomainsPage(member, { page: 9, size: 2 })).rows.map((r) => r.domain)).toEqual([names[0]]);
  });
});
