import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { Result } from "@/lib/domain/result";
import { agentOf, bindAs } from "@/lib/test-support/agents";
import { actorOf, createTestAccount } from "@/lib/test-support/factories";
import { race } from "@/lib/test-support/races";
import { reserveDomain } from "./reserve-domain";

// Real PostgreSQL, a pool of 10: every racer of a round starts at once. Each
// rule here holds only because of lockName; without it, READ COMMITTED lets
// each racer miss the others' uncommitted rows and several win.

const CTX = { ip: null, userAgent: null };

async function owners(n: number) {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const { account, owner } = await createTestAccount();
      return actorOf(account, owner, "owner");
    }),
  );
}

const values = (round: PromiseSettledResult<unknown>[]) =>
  round.map((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value as Result<unknown>;
  });

describe("accounts reserving overlapping names at once", () => {
  it("leave exactly one winner per round: the others are refused as overlapping another account's", async () => {
    const accounts = await owners(6);
    const results = await race(8, async () => {
      const z = `r${randomBytes(4).toString("hex")}.example.com`;
      // Every pair overlaps: the same name, names under names, wildcards over both.
      const names = [`a.${z}`, `*.${z}`, z, `b.a.${z}`, `*.a.${z}`, `a.${z}`];
      return names.map((domain, i) => () => reserveDomain(accounts[i]!, { domain }, CTX));
    });
    for (const round of results) {
      const answers = values(round);
      expect(answers.filter((a) => a.ok)).toHaveLength(1);
      for (const a of answers.filter((a) => !a.ok)) expect(["domain_reserved_elsewhere", "wildcard_conflict"]).toContain((a as { code: string }).code);
    }
    // One reservation per round in the database too.
    expect(await db().reservedDomain.count({ where: { accountId: { in: accounts.map((a) => a.account.id) } } })).toBe(8);
  });

  it("do not wait on each other for unrelated names: siblings all win", async () => {
    const accounts = await owners(6);
    const z = `s${randomBytes(4).toString("hex")}.example.com`;
    const [round] = await race(1, async () => accounts.map((actor, i) => () => reserveDomain(actor, { domain: `n${i}.${z}` }, CTX)));
    expect(values(round!).every((a) => a.ok)).toBe(true);
  });
});

describe("binds of one hostname at once", () => {
  it("bind it once: every other racer, in other sessions, is refused with endpoint_online (never an error)", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const z = `b${randomBytes(4).toString("hex")}.example.com`;
    expect((await reserveDomain(admin, { domain: `*.${z}` }, CTX)).ok).toBe(true);
    const agents = await Promise.all(Array.from({ length: 8 }, () => agentOf(admin)));
    const results = await race(5, async (trial) => agents.map((agent) => () => bindAs(agent, `app${trial}.${z}`)));
    for (const round of results) {
      const answers = values(round);
      expect(answers.filter((a) => a.ok)).toHaveLength(1);
      for (const a of answers.filter((a) => !a.ok)) expect(a).toMatchObject({ code: "endpoint_online" });
    }
    expect(await db().tunnelEndpoint.count({ where: { accountId: account.id, endedAt: null } })).toBe(5);
  });

  it("a random name bound while another account reserves it: one of them wins", async () => {
    const [a, b] = await owners(2);
    const agent = await agentOf(a!);
    const results = await race(8, async () => {
      const name = `${randomBytes(6).toString("hex")}.tunnel.localhost`;
      return [() => bindAs(agent, name, { assigned: true }), () => reserveDomain(b!, { domain: name }, CTX)];
    });
    for (const round of results) {
      const [bound, reserved] = values(round);
      expect([bound!.ok, reserved!.ok].filter(Boolean)).toHaveLength(1);
      if (!bound!.ok) expect(bound).toMatchObject({ code: "hostname_reserved_elsewhere" });
      else expect(reserved).toMatchObject({ code: "domain_in_use" });
    }
  });
});

describe("the database's own guard", () => {
  it("refuses a second open endpoint on a hostname or a TCP address even from a path that skipped the rule", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const z = `g${randomBytes(4).toString("hex")}.example.com`;
    expect((await reserveDomain(admin, { domain: `*.${z}` }, CTX)).ok).toBe(true);
    const agent = await agentOf(admin);
    expect(await bindAs(agent, `app.${z}`)).toMatchObject({ ok: true });
    expect(await bindAs(agent, "", { url: `tcp://app.${z}:9000` })).toMatchObject({ ok: true });
    const insert = (id: string, url: string) => db().$executeRaw`
      INSERT INTO tunnel_endpoints (id, session_id, account_id, principal_id, url, hostname)
      VALUES (${id}, ${agent.sessionId}, ${account.id}, ${agent.actor.principal.id}, ${url}, ${`app.${z}`})`;
    await expect(insert("ep_dup1", `http://app.${z}`)).rejects.toThrow(/tunnel_endpoints_open_hostname_key|Unique constraint/);
    await expect(insert("ep_dup2", `tcp://app.${z}:9000`)).rejects.toThrow(/tunnel_endpoints_open_tcp_url_key|Unique constraint/);
    // Another TCP port of the same host is another address.
    await expect(insert("ep_dup3", `tcp://app.${z}:9001`)).resolves.toBe(1);
  });
});
