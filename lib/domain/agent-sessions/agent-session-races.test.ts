import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { reserveDomain } from "@/lib/domain/domains/reserve-domain";
import { race } from "@/lib/test-support/races";
import { actorOf, createTestAccount, createTestBot } from "@/lib/test-support/factories";
import { bindEndpoint } from "./bind-endpoint";
import { closeStaleSessions } from "./close-stale-sessions";
import { endSession } from "./end-session";
import { startSession } from "./start-session";

const CTX = { ip: "203.0.113.7", userAgent: "ngrok/3.18.4" };
const AGENT = { agent_version: "3.18.4", os: "linux", arch: "amd64" };

/** The actor an agent presenting a new authtoken of `ownerId` is (as authenticateCredential builds it). */
async function agentActorFor(admin: Actor, owner: { id: string; name: string; kind: "person" | "bot" }): Promise<Actor> {
  const created = await createCredential(admin, { kind: "authtoken", ownerId: owner.id }, { ip: null, userAgent: null });
  if (!created.ok) throw new Error(created.message);
  return { ...admin, principal: owner, role: "member", source: "agent", credential: { id: created.data.credential.id, display: created.data.credential.display } };
}

async function setup() {
  const { account, owner } = await createTestAccount();
  const admin = actorOf(account, owner, "owner");
  const bot = await createTestBot(account.id);
  const agentActor = await agentActorFor(admin, { id: bot.id, name: bot.name, kind: "bot" });
  return { account, owner, admin, bot, agentActor };
}

async function start(actor: Actor, now?: Date): Promise<string> {
  const r = await startSession(actor, CTX, AGENT, { now });
  if (!r.ok) throw new Error(r.message);
  return r.data.id;
}

describe("the heartbeat sweep racing itself and the agents", () => {
  it("ends each stale session exactly once with four sweeps (several instances) and the agents' own DELETEs racing", async () => {
    const { account, agentActor } = await setup();
    const now = new Date();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await start(agentActor, new Date(now.getTime() - 100_000)));
    const results = await race(1, async () => [
      ...Array.from({ length: 4 }, () => () => closeStaleSessions({ now })),
      ...ids.slice(0, 6).map((id) => () => endSession(agentActor, CTX, id)),
    ]);
    expect(results.flat().filter((r) => r.status === "rejected")).toEqual([]);
    const events = await db().event.findMany({ where: { accountId: account.id, type: "agent.session_ended" } });
    expect(events.map((e) => e.subjectId).sort()).toEqual([...ids].sort());
    expect(await db().tunnelSession.count({ where: { accountId: account.id, endedAt: null } })).toBe(0);
  });
});

describe("binds racing the end of their session", () => {
  it("never leave an endpoint open on an ended session: each bind lands before the end (and is ended with it) or is refused", async () => {
    const { admin, agentActor } = await setup();
    expect((await reserveDomain(admin, { domain: "*.example.com" }, CTX)).ok).toBe(true);
    const results = await race(6, async () => {
      const id = await start(agentActor);
      return [
        ...Array.from({ length: 8 }, (_, i) => () => bindEndpoint(agentActor, CTX, id, { hostname: `e${i}.example.com` })),
        () => endSession(agentActor, CTX, id),
      ];
    });
    for (const round of results) {
      for (const r of round) expect(r.status).toBe("fulfilled");
      const binds = round.slice(0, 8).map((r) => (r as PromiseFulfilledResult<{ ok: boolean; code?: string }>).value);
      for (const b of binds) if (!b.ok) expect(b.code).toBe("session_ended");
    }
    expect(await db().tunnelEndpoint.count({ where: { principalId: agentActor.principal.id, endedAt: null } })).toBe(0);
    const usage = await db().usageDaily.findMany({ where: { principalId: agentActor.principal.id } });
    expect(usage.reduce((n, u) => n + u.endpoints, 0)).toBe(await db().tunnelEndpoint.count({ where: { principalId: agentActor.principal.id } }));
  });
});
