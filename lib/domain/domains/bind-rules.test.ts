import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { endSession } from "@/lib/domain/agent-sessions/end-session";
import { agentOf, bindAs } from "@/lib/test-support/agents";
import { actorOf, createTestAccount } from "@/lib/test-support/factories";
import { mayBindHostname } from "./may-bind-hostname";
import { randomTunnelHostname } from "./random-tunnel-hostname";
import { reserveDomain } from "./reserve-domain";

const CTX = { ip: null, userAgent: null };
const zone = () => `z${randomBytes(4).toString("hex")}.example.com`;

async function owner() {
  const { account, owner } = await createTestAccount();
  return actorOf(account, owner, "owner");
}

async function reserve(actor: Awaited<ReturnType<typeof owner>>, domain: string) {
  const r = await reserveDomain(actor, { domain }, CTX);
  if (!r.ok) throw new Error(`${domain}: ${r.message}`);
}

const refusals = (accountId: string) =>
  db().event.findMany({ where: { accountId, type: "agent.bind_refused" }, orderBy: { id: "asc" } }).then((es) => es.map((e) => e.data as Record<string, unknown>));

describe("binding a hostname (bindEndpoint → mayBindHostname)", () => {
  it("needs the account's reservation: an exact name binds itself, a wildcard every name under it at any depth, case and trailing dot ignored", async () => {
    const z = zone();
    const admin = await owner();
    const agent = await agentOf(admin);
    await reserve(admin, `app.${z}`);
    await reserve(admin, `*.w.${z}`);
    expect(await bindAs(agent, `APP.${z}.`)).toMatchObject({ ok: true, data: { hostname: `app.${z}`, url: `https://app.${z}` } });
    expect(await bindAs(agent, `a.w.${z}`)).toMatchObject({ ok: true });
    expect(await bindAs(agent, `a.b.c.w.${z}`)).toMatchObject({ ok: true });
    for (const hostname of [`w.${z}`, `x.app.${z}`, z, `other.${zone()}`]) {
      expect(await bindAs(agent, hostname), hostname).toMatchObject({ ok: false, code: "hostname_not_reserved", message: expect.stringMatching(/You must reserve/) });
    }
    const recorded = await refusals(admin.account.id);
    expect(recorded).toHaveLength(4);
    expect(recorded[0]).toMatchObject({ url: `https://w.${z}`, reason: "hostname_not_reserved", why: expect.stringMatching(/You must reserve/) });
    expect(await db().tunnelEndpoint.count({ where: { sessionId: agent.sessionId } })).toBe(3);
  });

  it("refuses a hostname another account reserved (ERR_NGROK_320's case), whatever its own ACL allows", async () => {
    const z = zone();
    const a = await owner();
    const b = await owner();
    await reserve(a, `*.${z}`);
    const agentB = await agentOf(b, [`bind:*.${z}`]);
    expect(await bindAs(agentB, `api.${z}`)).toMatchObject({ ok: false, code: "hostname_reserved_elsewhere" });
    expect(await bindAs(agentB, `api.${z}`, { assigned: true })).toMatchObject({ ok: false, code: "hostname_reserved_elsewhere" });
    expect(await refusals(b.account.id)).toEqual([
      expect.objectContaining({ reason: "hostname_reserved_elsewhere" }),
      expect.objectContaining({ reason: "hostname_reserved_elsewhere" }),
    ]);
  });

  it("checks the ACL first: a hostname the ACL refuses is recorded as the ACL's refusal", async () => {
    const z = zone();
    const admin = await owner();
    await reserve(admin, `*.${z}`);
    const agent = await agentOf(admin, ["bind:only.example.org"]);
    expect(await bindAs(agent, `a.${z}`)).toMatchObject({ ok: false, code: "bind_refused" });
    const [event] = await refusals(admin.account.id);
    expect(event).not.toHaveProperty("reason");
  });

  it("serves one hostname by one endpoint at a time (ERR_NGROK_334's case), in any session, until that endpoint ends; TCP by address", async () => {
    const z = zone();
    const admin = await owner();
    await reserve(admin, `*.${z}`);
    const first = await agentOf(admin);
    const second = await agentOf(admin);
    expect(await bindAs(first, `app.${z}`)).toMatchObject({ ok: true });
    expect(await bindAs(first, `app.${z}`)).toMatchObject({ ok: false, code: "endpoint_online", message: expect.stringMatching(/already online/) });
    expect(await bindAs(second, `App.${z}`)).toMatchObject({ ok: false, code: "endpoint_online" });
    // TCP: one endpoint per address; the hostname's HTTPS endpoint does not take it.
    expect(await bindAs(second, "", { url: `tcp://app.${z}:9000` })).toMatchObject({ ok: true });
    expect(await bindAs(first, "", { url: `tcp://app.${z}:9001` })).toMatchObject({ ok: true });
    expect(await bindAs(first, "", { url: `tcp://app.${z}:9000` })).toMatchObject({ ok: false, code: "endpoint_online" });
    await endSession(first.actor, CTX, first.sessionId);
    expect(await bindAs(second, `app.${z}`)).toMatchObject({ ok: true });
  });

  it("lets the server hand out a random name under the tunnel domain without a reservation, never one someone reserved", async () => {
    const a = await owner();
    const b = await owner();
    const agent = await agentOf(a);
    const name = await randomTunnelHostname();
    expect(name).toMatch(/^[0-9a-f]{12}\.tunnel\.localhost$/);
    // Not assigned by the server: an agent may not just take a name under the tunnel domain.
    expect(await bindAs(agent, name)).toMatchObject({ ok: false, code: "hostname_not_reserved" });
    expect(await bindAs(agent, name, { assigned: true })).toMatchObject({ ok: true });
    // A random name another account reserved (guessed) is refused, also when assigned.
    const taken = `${randomBytes(6).toString("hex")}.tunnel.localhost`;
    await reserve(b, `x.${taken}`);
    expect(await bindAs(agent, taken, { assigned: true })).toMatchObject({ ok: false, code: "hostname_reserved_elsewhere" });
  });
});

describe("randomTunnelHostname", () => {
  it("never returns a name reserved by anyone: with every name under the domain taken, it gives up", async () => {
    const admin = await owner();
    const domain = `rt${randomBytes(3).toString("hex")}.example.com`;
    await reserve(admin, `*.${domain}`);
    await expect(randomTunnelHostname(db(), domain)).rejects.toThrow(/no free random hostname/);
    expect(await randomTunnelHostname(db(), `free.${zone()}`)).toMatch(/^[0-9a-f]{12}\.free\./);
  });
});

describe("mayBindHostname", () => {
  it("answers a hostname that is not one with invalid_hostname, and normalises the one it allows", async () => {
    const z = zone();
    const admin = await owner();
    await reserve(admin, `app.${z}`);
    const decide = (hostname: string) => db().$transaction((tx) => mayBindHostname(tx, admin.account.id, hostname));
    expect(await decide("not a host")).toMatchObject({ ok: false, code: "invalid_hostname" });
    expect(await decide(`App.${z}.`)).toEqual({ ok: true, hostname: `app.${z}` });
  });
});
