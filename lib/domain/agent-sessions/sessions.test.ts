import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { reserveDomain } from "@/lib/domain/domains/reserve-domain";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "@/lib/test-support/factories";
import { bindEndpoint } from "./bind-endpoint";
import { closeStaleSessions } from "./close-stale-sessions";
import { endSession } from "./end-session";
import { reportSession } from "./heartbeat";
import { listTunnelSessions } from "./list-tunnel-sessions";
import { startSession } from "./start-session";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { recordCarriedTraffic } from "@/lib/domain/usage/record-carried-traffic";
import { REFUSALS_RECORDED_PER_MINUTE } from "@/lib/domain/access/authenticate-credential";

const CTX = { ip: "203.0.113.7", userAgent: "ngrok/3.18.4" };
const AGENT = { agent_version: "3.18.4", os: "linux", arch: "amd64" };

/** The actor an agent presenting a new authtoken of `ownerId` is (as authenticateCredential builds it). */
async function agentActorFor(admin: Actor, owner: { id: string; name: string; kind: "person" | "bot" }): Promise<Actor> {
  const created = await createCredential(admin, { kind: "authtoken", ownerId: owner.id }, { ip: null, userAgent: null });
  if (!created.ok) throw new Error(created.message);
  return { ...admin, principal: owner, role: "member", source: "agent", credential: { id: created.data.credential.id, display: created.data.credential.display } };
}

/** An account, its owner, a bot and the bot's agent; `reserve`: a domain the account reserves (binds need one). */
async function setup(reserve?: string) {
  const { account, owner } = await createTestAccount();
  const admin = actorOf(account, owner, "owner");
  if (reserve && !(await reserveDomain(admin, { domain: reserve }, CTX)).ok) throw new Error(`could not reserve ${reserve}`);
  const bot = await createTestBot(account.id);
  const agentActor = await agentActorFor(admin, { id: bot.id, name: bot.name, kind: "bot" });
  return { account, owner, admin, bot, agentActor };
}

async function start(actor: Actor, now?: Date): Promise<string> {
  const r = await startSession(actor, CTX, AGENT, { now });
  if (!r.ok) throw new Error(r.message);
  return r.data.id;
}

describe("the heartbeat sweep", () => {
  it("ends open sessions silent for longer than the timeout (reason heartbeat_timeout, source system), and only those", async () => {
    const { account, bot, agentActor } = await setup("stale.example.com");
    const now = new Date();
    const stale = await start(agentActor, new Date(now.getTime() - 91_000));
    const alive = await start(agentActor, new Date(now.getTime() - 120_000));
    expect((await reportSession(agentActor, alive, { now: new Date(now.getTime() - 10_000) })).ok).toBe(true);
    const bound = await bindEndpoint(agentActor, CTX, stale, { hostname: "stale.example.com" }, { now: new Date(now.getTime() - 91_000) });
    expect(bound.ok).toBe(true);
    expect(await closeStaleSessions({ now })).toBe(1);
    expect(await db().tunnelSession.findUniqueOrThrow({ where: { id: stale } })).toMatchObject({ endReason: "heartbeat_timeout", endedAt: now });
    expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: alive } })).endedAt).toBeNull();
    expect((await db().tunnelEndpoint.findFirstOrThrow({ where: { sessionId: stale } })).endedAt).toEqual(now);
    const events = await db().event.findMany({ where: { accountId: account.id, type: "agent.session_ended" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ principalId: bot.id, source: "system", subjectId: stale, credentialId: agentActor.credential!.id, botId: bot.id });
    expect(events[0]!.data).toMatchObject({ reason: "heartbeat_timeout" });
    expect(await closeStaleSessions({ now })).toBe(0);
  });
});

describe("listTunnelSessions", () => {
  it("pages newest first by id, filters by bot and open sessions, and carries endpoints and traffic", async () => {
    const { admin, agentActor, bot } = await setup("a.example.com");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await start(agentActor, new Date(Date.now() - (5 - i) * 1000)));
    await bindEndpoint(agentActor, CTX, ids[4]!, { url: "https://a.example.com", labels: { env: "prod" } });
    await recordCarriedTraffic([{ sessionId: ids[4]!, accountId: admin.account.id, principalId: bot.id, bytesIn: 10, bytesOut: 20, requests: 1 }]);
    await endSession(agentActor, CTX, ids[0]!);
    const first = await listTunnelSessions(admin, { limit: 2 });
    expect(first.rows.map((s) => s.id)).toEqual([ids[4], ids[3]]);
    expect(first.hasMore).toBe(true);
    expect(first.rows[0]).toMatchObject({
      principal: { id: bot.id, name: bot.name, kind: "bot" },
      credential: agentActor.credential,
      transport: "ngrok/v2",
      ip: "203.0.113.7",
      bytesIn: 10,
      bytesOut: 20,
      requests: 1,
      endpoints: [{ url: "https://a.example.com", hostname: "a.example.com", labels: { env: "prod" }, endedAt: null }],
    });
    const second = await listTunnelSessions(admin, { limit: 2, beforeId: ids[3] });
    expect(second.rows.map((s) => s.id)).toEqual([ids[2], ids[1]]);
    const last = await listTunnelSessions(admin, { limit: 2, beforeId: ids[1] });
    expect(last).toMatchObject({ rows: [{ id: ids[0], endReason: "agent_closed" }], hasMore: false });
    expect((await listTunnelSessions(admin, { botId: bot.id, onlyOpen: true })).rows.map((s) => s.id)).toEqual([ids[4], ids[3], ids[2], ids[1]]);
    const otherBot = await createTestBot(admin.account.id);
    expect((await listTunnelSessions(admin, { botId: otherBot.id })).rows).toEqual([]);
  });

  it("shows a member the bots' sessions and their own, not another person's, with only their own IP; never another account's", async () => {
    const { account, admin, agentActor } = await setup();
    const member = await createTestPerson(account.id, "member");
    const colleague = await createTestPerson(account.id, "member");
    const memberActor = actorOf(account, member, "member");
    const mine = await start(await agentActorFor(admin, { id: member.id, name: member.name, kind: "person" }));
    const theirs = await start(await agentActorFor(admin, { id: colleague.id, name: colleague.name, kind: "person" }));
    const bots = await start(agentActor);
    const seen = await listTunnelSessions(memberActor);
    expect(seen.rows.map((s) => s.id)).toEqual([bots, mine]);
    expect(seen.rows.map((s) => s.ip)).toEqual([null, "203.0.113.7"]);
    expect((await listTunnelSessions(admin)).rows.map((s) => s.id)).toEqual([bots, theirs, mine]);
    const other = await setup();
    expect((await listTunnelSessions(other.admin)).rows).toEqual([]);
  });
});

describe("endSession", () => {
  it("an agent whose bot was deactivated after it was admitted cannot close as itself: refused, and the session ends as refused", async () => {
    const { account, admin, bot, agentActor } = await setup();
    const id = await start(agentActor);
    // The agent was admitted (its actor built) before the deactivation committed.
    expect((await setBotsActive(admin, { ids: [bot.id], active: false }, CTX)).ok).toBe(true);
    expect(await endSession(agentActor, CTX, id)).toMatchObject({ ok: false, code: "actor_deactivated" });
    expect(await db().tunnelSession.findUniqueOrThrow({ where: { id } })).toMatchObject({ endReason: "credential_refused:owner_deactivated" });
    const ended = await db().event.findMany({ where: { accountId: account.id, type: "agent.session_ended" } });
    expect(ended.map((e) => [e.source, (e.data as { reason: string }).reason])).toEqual([["agent", "credential_refused"]]);
  });

  it("an agent closing its own session: agent_closed, recorded once", async () => {
    const { account, agentActor } = await setup();
    const id = await start(agentActor);
    expect(await endSession(agentActor, CTX, id)).toEqual({ ok: true, data: undefined });
    expect(await endSession(agentActor, CTX, id)).toMatchObject({ ok: false, code: "session_ended" });
    expect(await db().tunnelSession.findUniqueOrThrow({ where: { id } })).toMatchObject({ endReason: "agent_closed" });
    expect(await db().event.count({ where: { accountId: account.id, type: "agent.session_ended" } })).toBe(1);
  });
});

describe("what an agent sends, checked where every transport's session starts and binds", () => {
  it("refuses a session naming the field: a missing os, a transport other than ngrok/v2, an unknown field", async () => {
    const { agentActor } = await setup();
    for (const [input, field] of [
      [{ ...AGENT, os: undefined }, "os"],
      [{ ...AGENT, transport: "ssh" }, "transport"],
      [{ ...AGENT, os: "linux\nx" }, "os"],
    ] as const) {
      const r = await startSession(agentActor, CTX, input);
      expect(r, JSON.stringify(input)).toMatchObject({ ok: false, code: "invalid_input" });
      expect(Object.keys((r as { fieldErrors?: object }).fieldErrors ?? {}), JSON.stringify(input)).toContain(field);
    }
    expect(await startSession(agentActor, CTX, { ...AGENT, owner_id: "bot_x" })).toMatchObject({ ok: false, code: "invalid_input" });
  });

  it.each([
    [{ url: "ftp://a.example.com" }, "url"],
    [{ url: "https://a.example.com/path" }, "url"],
    [{ url: "not a url" }, "url"],
    [{ hostname: "localhost" }, "hostname"],
    [{ url: "https://a.example.com", hostname: "a.example.com" }, "hostname"],
    [{}, "url"],
    [{ labels: { "bad key": "x" } }, "labels"],
  ])("refuses the endpoint %j naming the field %s, binding nothing", async (input, field) => {
    const { agentActor } = await setup();
    const id = await start(agentActor);
    const r = await bindEndpoint(agentActor, CTX, id, input);
    expect(r).toMatchObject({ ok: false, code: "invalid_input" });
    expect(Object.keys((r as { fieldErrors?: object }).fieldErrors ?? {})).toContain(field);
    expect(await db().tunnelEndpoint.count({ where: { sessionId: id } })).toBe(0);
  });
});

describe("refused binds in a loop", () => {
  it("are each refused, and recorded as agent.bind_refused at most REFUSALS_RECORDED_PER_MINUTE times a minute per credential", async () => {
    const { account, agentActor } = await setup();
    const session = await start(agentActor);
    const results = [];
    for (let i = 0; i < REFUSALS_RECORDED_PER_MINUTE + 5; i++) results.push(await bindEndpoint(agentActor, CTX, session, { hostname: "not-reserved.example.com" }));
    expect(results.every((r) => !r.ok && r.code === "hostname_not_reserved")).toBe(true);
    expect(await db().event.count({ where: { accountId: account.id, type: "agent.bind_refused" } })).toBe(REFUSALS_RECORDED_PER_MINUTE);
  });
});
