import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { revokeCredentials } from "@/lib/domain/credentials/revoke-credentials";
import { deleteBots } from "@/lib/domain/bots/delete-bots";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { issueSecret } from "@/lib/domain/credentials/token-format";
import { updateCredential } from "@/lib/domain/credentials/update-credential";
import { reserveDomain } from "@/lib/domain/domains/reserve-domain";
import { createTestPerson } from "@/lib/test-support/factories";
import { AGENT, agent, agentAccount, authtokenFor, eventsOf, startedSession } from "./agent-client";

const NO_CTX = { ip: null, userAgent: null };
const usageOf = (principalId: string) => db().usageDaily.findMany({ where: { principalId } });

describe("POST /agent/v1/sessions", () => {
  it("starts a session for the authtoken's owner, meters it and records agent.session_started (source agent, the authtoken)", async () => {
    const { account, bot, token } = await agentAccount();
    const answer = await agent("POST", "/sessions", { token: token.token, body: AGENT });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      id: expect.stringMatching(/^ts_/),
      agent_version: "3.18.4",
      os: "linux",
      arch: "amd64",
      metadata: "billing worker 2",
      transport: "ngrok/v2",
      region: "local",
      credential: { id: token.id },
      heartbeat_interval_seconds: 30,
      session_timeout_seconds: 90,
    });
    expect(answer.body.uri).toBe(`http://botdesk.test/agent/v1/sessions/${answer.body.id}`);
    const row = await db().tunnelSession.findUniqueOrThrow({ where: { id: answer.body.id } });
    expect(row).toMatchObject({ principalId: bot.id, accountId: account.id, credentialId: token.id, endedAt: null });
    const [event] = await eventsOf(account.id, "agent.session_started");
    expect(event).toMatchObject({ principalId: bot.id, source: "agent", credentialId: token.id, subjectId: answer.body.id, botId: bot.id });
    expect(event!.credentialDisplay).toMatch(/^bdat_…/);
    expect(event!.data).toEqual({ agentVersion: "3.18.4", os: "linux", arch: "amd64", region: "local", transport: "ngrok/v2" });
    expect(await usageOf(bot.id)).toMatchObject([{ sessions: 1, endpoints: 0 }]);
  });

  it.each([
    ["no Authorization header", null, 401, "ERR_BOTDESK_100"],
    ["a made-up token", "bdat_nothing", 401, "ERR_NGROK_107"],
  ])("refuses %s", async (_what, token, status, code) => {
    const answer = await agent("POST", "/sessions", { token, body: AGENT });
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ error_code: code, status_code: status, details: { operation_id: expect.any(String) } });
  });

  it("refuses an API key (agents present authtokens) and a revoked authtoken (ERR_NGROK_300, recorded once)", async () => {
    const { account, ownerActor, bot, token } = await agentAccount();
    const apiKey = await authtokenFor(ownerActor, bot.id, [], "api_key");
    expect((await agent("POST", "/sessions", { token: apiKey.token, body: AGENT })).body.error_code).toBe("ERR_NGROK_107");
    expect((await revokeCredentials(ownerActor, { ids: [token.id] }, NO_CTX)).ok).toBe(true);
    const answer = await agent("POST", "/sessions", { token: token.token, body: AGENT });
    expect(answer).toMatchObject({ status: 401, body: { error_code: "ERR_NGROK_300" } });
    expect(await eventsOf(account.id, "credential.refused")).toHaveLength(1);
    expect(await db().tunnelSession.count({ where: { accountId: account.id } })).toBe(0);
  });

  it("names the field of invalid input, and serves only transport ngrok/v2", async () => {
    const { token } = await agentAccount();
    const missing = await agent("POST", "/sessions", { token: token.token, body: { ...AGENT, os: undefined } });
    expect(missing).toMatchObject({ status: 400, body: { error_code: "ERR_BOTDESK_400", details: { field: "os" } } });
    const ssh = await agent("POST", "/sessions", { token: token.token, body: { ...AGENT, transport: "ssh" } });
    expect(ssh).toMatchObject({ status: 400, body: { details: { field: "transport" } } });
    const extra = await agent("POST", "/sessions", { token: token.token, body: { ...AGENT, owner_id: "bot_x" } });
    expect(extra.status).toBe(400);
  });
});

describe("POST /agent/v1/sessions/{id}/endpoints", () => {
  it("binds what the ACL allows (wildcard domain, label), meters and records each bind", async () => {
    const { account, bot, token, ownerActor } = await agentAccount(["bind:*.example.com", "bind:env=prod"]);
    expect((await reserveDomain(ownerActor, { domain: "*.example.com" }, NO_CTX)).ok).toBe(true);
    const id = await startedSession(token.token);
    const bound = await agent("POST", `/sessions/${id}/endpoints`, { token: token.token, body: { url: "https://Billing.Example.com" } });
    expect(bound).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^ep_/), session_id: id, url: "https://billing.example.com", hostname: "billing.example.com", labels: {} } });
    const labeled = await agent("POST", `/sessions/${id}/endpoints`, { token: token.token, body: { labels: { env: "prod" } } });
    expect(labeled).toMatchObject({ status: 201, body: { url: null, hostname: null, labels: { env: "prod" } } });
    const byHostname = await agent("POST", `/sessions/${id}/endpoints`, { token: token.token, body: { hostname: "a.b.example.com" } });
    expect(byHostname.body.url).toBe("https://a.b.example.com");
    const events = await eventsOf(account.id, "agent.endpoint_bound");
    expect(events.map((e) => (e.data as { url: string | null }).url)).toEqual(["https://billing.example.com", null, "https://a.b.example.com"]);
    expect(events[0]).toMatchObject({ principalId: bot.id, source: "agent", credentialId: token.id, subjectId: id });
    expect(await usageOf(bot.id)).toMatchObject([{ sessions: 1, endpoints: 3 }]);
  });

  it.each([
    ["a domain outside the ACL", { url: "https://billing.example.org" }],
    ["the wildcard's own domain", { hostname: "example.com" }],
    ["a label outside the ACL", { labels: { env: "dev" } }],
    ["a hostname and a label, the label refused", { url: "https://a.example.com", labels: { team: "x" } }],
  ])("refuses %s with 403 ERR_NGROK_308, binds nothing and records agent.bind_refused", async (_what, body) => {
    const { account, bot, token } = await agentAccount(["bind:*.example.com", "bind:env=prod"]);
    const id = await startedSession(token.token);
    const answer = await agent("POST", `/sessions/${id}/endpoints`, { token: token.token, body });
    expect(answer).toMatchObject({ status: 403, body: { error_code: "ERR_NGROK_308", status_code: 403 } });
    expect(answer.body.msg).toMatch(/ACL/);
    expect(await db().tunnelEndpoint.count({ where: { sessionId: id } })).toBe(0);
    const [refused] = await eventsOf(account.id, "agent.bind_refused");
    expect(refused).toMatchObject({ principalId: bot.id, source: "agent", credentialId: token.id, subjectId: id });
    expect(refused!.data).toMatchObject({ acl: ["bind:*.example.com", "bind:env=prod"], why: expect.stringContaining("does not permit") });
    expect(await usageOf(bot.id)).toMatchObject([{ endpoints: 0 }]);
  });

  it("applies an ACL edited mid-session from the next bind", async () => {
    const { ownerActor, token } = await agentAccount(["bind:a.example.net"]);
    expect((await reserveDomain(ownerActor, { domain: "*.example.net" }, NO_CTX)).ok).toBe(true);
    const id = await startedSession(token.token);
    expect((await agent("POST", `/sessions/${id}/endpoints`, { token: token.token, body: { hostname: "a.example.net" } })).status).toBe(201);
    expect((await updateCredential(ownerActor, { id: token.id, acl: ["bind:b.example.net"] }, NO_CTX)).ok).toBe(true);
    expect((await agent("POST", `/sessions/${id}/endpoints`, { token: token.token, body: { hostname: "c.example.net" } })).status).toBe(403);
    expect((await agent("POST", `/sessions/${id}/endpoints`, { token: token.token, body: { hostname: "b.example.net" } })).status).toBe(201);
  });

  it("answers the hostname rules with ngrok's codes: not reserved 403 ERR_NGROK_319, another account's 403 ERR_NGROK_320, online 409 ERR_NGROK_334", async () => {
    const { account, ownerActor, token } = await agentAccount();
    const other = await agentAccount();
    expect((await reserveDomain(ownerActor, { domain: "app.example.org" }, NO_CTX)).ok).toBe(true);
    expect((await reserveDomain(other.ownerActor, { domain: "*.theirs.example.org" }, NO_CTX)).ok).toBe(true);
    const id = await startedSession(token.token);
    const bind = (hostname: string) => agent("POST", `/sessions/${id}/endpoints`, { token: token.token, body: { hostname } });
    expect(await bind("nope.example.org")).toMatchObject({ status: 403, body: { error_code: "ERR_NGROK_319", msg: expect.stringMatching(/reserve nope\.example\.org/) } });
    expect(await bind("x.theirs.example.org")).toMatchObject({ status: 403, body: { error_code: "ERR_NGROK_320" } });
    expect((await bind("app.example.org")).status).toBe(201);
    expect(await bind("app.example.org")).toMatchObject({ status: 409, body: { error_code: "ERR_NGROK_334" } });
    expect((await eventsOf(account.id, "agent.bind_refused")).map((e) => (e.data as { reason: string }).reason)).toEqual([
      "hostname_not_reserved",
      "hostname_reserved_elsewhere",
      "endpoint_online",
    ]);
  });

  it.each([
    [{ url: "ftp://a.example.com" }, "url"],
    [{ url: "https://a.example.com/path" }, "url"],
    [{ url: "not a url" }, "url"],
    [{ hostname: "localhost" }, "hostname"],
    [{ url: "https://a.example.com", hostname: "a.example.com" }, "hostname"],
    [{}, "url"],
    [{ labels: { "bad key": "x" } }, "labels"],
  ])("refuses the endpoint %j naming the field %s", async (body, field) => {
    const { token } = await agentAccount();
    const id = await startedSession(token.token);
    expect(await agent("POST", `/sessions/${id}/endpoints`, { token: token.token, body })).toMatchObject({ status: 400, body: { details: { field } } });
  });
});

describe("heartbeats, traffic reports and the end of a session", () => {
  it("keeps the session alive, adds traffic to the session and the owner's usage, and ends it on DELETE (then 410)", async () => {
    const { account, bot, token } = await agentAccount();
    const id = await startedSession(token.token);
    const before = await db().tunnelSession.findUniqueOrThrow({ where: { id } });
    await new Promise((r) => setTimeout(r, 5));
    const beat = await agent("POST", `/sessions/${id}/heartbeat`, { token: token.token });
    expect(beat).toMatchObject({ status: 200, body: { id, bytes_in: 0, bytes_out: 0, requests: 0 } });
    expect(new Date(beat.body.last_heartbeat_at).getTime()).toBeGreaterThan(before.lastHeartbeatAt.getTime());
    await agent("POST", `/sessions/${id}/traffic`, { token: token.token, body: { bytes_in: 1000, bytes_out: 250, requests: 3 } });
    const second = await agent("POST", `/sessions/${id}/traffic`, { token: token.token, body: { bytes_in: 24, requests: 1 } });
    expect(second.body).toMatchObject({ bytes_in: 1024, bytes_out: 250, requests: 4 });
    expect(await usageOf(bot.id)).toMatchObject([{ sessions: 1, bytesIn: 1024n, bytesOut: 250n, tunnelRequests: 4n }]);
    expect(await agent("POST", `/sessions/${id}/traffic`, { token: token.token, body: { bytes_in: -1 } })).toMatchObject({ status: 400, body: { details: { field: "bytes_in" } } });
    const read = await agent("GET", `/sessions/${id}`, { token: token.token });
    expect(read.body).toMatchObject({ id, bytes_in: 1024, ended_at: null, endpoints: [] });

    expect((await agent("DELETE", `/sessions/${id}`, { token: token.token })).status).toBe(204);
    const [ended] = await eventsOf(account.id, "agent.session_ended");
    expect(ended).toMatchObject({ principalId: bot.id, source: "agent", credentialId: token.id, subjectId: id });
    expect(ended!.data).toMatchObject({ reason: "agent_closed", bytesIn: 1024, bytesOut: 250, requests: 4 });
    for (const [method, path] of [["POST", `/sessions/${id}/heartbeat`], ["POST", `/sessions/${id}/endpoints`], ["DELETE", `/sessions/${id}`]] as const) {
      const answer = await agent(method, path, { token: token.token, body: method === "POST" ? { hostname: "a.example.com" } : undefined });
      expect(answer).toMatchObject({ status: 410, body: { error_code: "ERR_BOTDESK_410" } });
      expect(answer.body.msg).toMatch(/agent_closed/);
    }
    expect(await eventsOf(account.id, "agent.session_ended")).toHaveLength(1);
  });

  it("answers 404 for another authtoken's session (even the same bot's), another account's, and ids that are not ids", async () => {
    const { ownerActor, bot, token } = await agentAccount();
    const other = await agentAccount();
    const sameBotOtherToken = await authtokenFor(ownerActor, bot.id);
    const id = await startedSession(token.token);
    for (const t of [sameBotOtherToken.token, other.token.token]) {
      for (const [method, path] of [["POST", `/sessions/${id}/heartbeat`], ["GET", `/sessions/${id}`], ["DELETE", `/sessions/${id}`]] as const) {
        expect(await agent(method, path, { token: t })).toMatchObject({ status: 404, body: { error_code: "ERR_BOTDESK_404" } });
      }
    }
    expect((await agent("POST", "/sessions/ts_unknown0000/heartbeat", { token: token.token })).status).toBe(404);
    expect((await agent("POST", "/sessions/..%2Fetc/heartbeat", { token: token.token })).status).toBe(404);
    expect((await db().tunnelSession.findUniqueOrThrow({ where: { id } })).endedAt).toBeNull();
  });

  it("answers unknown routes with a JSON 404 and unserved methods with a JSON 405 naming the allowed ones", async () => {
    const answer = await agent("GET", "/tunnels");
    expect(answer).toMatchObject({ status: 404, body: { error_code: "ERR_BOTDESK_404" } });
    const list = await agent("GET", "/sessions");
    expect(list).toMatchObject({ status: 405, body: { error_code: "ERR_BOTDESK_405" } });
    expect(list.headers.get("allow")).toBe("POST");
    expect((await agent("PATCH", "/sessions/ts_x")).headers.get("allow")).toBe("GET, DELETE");
  });
});

describe("a credential refused mid-session", () => {
  it("deactivating the bot refuses its next heartbeat (ERR_NGROK_636) and ends the session, recorded; reactivating does not revive it", async () => {
    const { account, ownerActor, bot, token } = await agentAccount();
    const id = await startedSession(token.token);
    const other = await startedSession(token.token);
    expect((await setBotsActive(ownerActor, { ids: [bot.id], active: false }, NO_CTX)).ok).toBe(true);
    const beat = await agent("POST", `/sessions/${id}/heartbeat`, { token: token.token });
    expect(beat).toMatchObject({ status: 403, body: { error_code: "ERR_NGROK_636" } });
    expect(beat.body.msg).toMatch(/session has been ended/);
    expect(await db().tunnelSession.findUniqueOrThrow({ where: { id } })).toMatchObject({ endReason: "credential_refused:owner_deactivated" });
    const [ended] = await eventsOf(account.id, "agent.session_ended");
    expect(ended).toMatchObject({ principalId: bot.id, source: "agent", credentialId: token.id, subjectId: id });
    expect(ended!.data).toMatchObject({ reason: "credential_refused", refusal: "owner_deactivated" });
    expect(await eventsOf(account.id, "credential.refused")).toHaveLength(1);
    // The other session ends on its own next request (a bind here), not before.
    expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: other } })).endedAt).toBeNull();
    expect((await agent("POST", `/sessions/${other}/endpoints`, { token: token.token, body: { hostname: "a.example.com" } })).status).toBe(403);
    expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: other } })).endedAt).not.toBeNull();
    expect((await setBotsActive(ownerActor, { ids: [bot.id], active: true }, NO_CTX)).ok).toBe(true);
    expect((await agent("POST", `/sessions/${id}/heartbeat`, { token: token.token })).status).toBe(410);
    expect(await eventsOf(account.id, "agent.session_ended")).toHaveLength(2);
  });

  it("a revoked authtoken's next traffic report is refused (ERR_NGROK_300) and ends the session, metering nothing", async () => {
    const { ownerActor, bot, token } = await agentAccount();
    const id = await startedSession(token.token);
    await revokeCredentials(ownerActor, { ids: [token.id] }, NO_CTX);
    expect((await agent("POST", `/sessions/${id}/traffic`, { token: token.token, body: { bytes_in: 10 } })).body.error_code).toBe("ERR_NGROK_300");
    expect(await db().tunnelSession.findUniqueOrThrow({ where: { id } })).toMatchObject({ endReason: "credential_refused:revoked", bytesIn: 0n });
    expect(await usageOf(bot.id)).toMatchObject([{ bytesIn: 0n }]);
  });

  it("an authtoken that expires mid-session is refused (ERR_BOTDESK_301) and ends the session; a deactivated person's too (ERR_NGROK_636)", async () => {
    const { ownerActor, token } = await agentAccount();
    const id = await startedSession(token.token);
    await db().credential.update({ where: { id: token.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await agent("POST", `/sessions/${id}/heartbeat`, { token: token.token })).body.error_code).toBe("ERR_BOTDESK_301");
    expect((await db().tunnelSession.findUniqueOrThrow({ where: { id } })).endReason).toBe("credential_refused:expired");

    const member = await createTestPerson(ownerActor.account.id, "member");
    const own = await authtokenFor(ownerActor, member.id);
    const mine = await startedSession(own.token);
    await db().membership.update({ where: { accountId_principalId: { accountId: ownerActor.account.id, principalId: member.id } }, data: { status: "deactivated" } });
    expect((await agent("POST", `/sessions/${mine}/traffic`, { token: own.token, body: { bytes_in: 1 } })).body.error_code).toBe("ERR_NGROK_636");
    expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: mine } })).endReason).toBe("credential_refused:owner_deactivated");
  });

  it("deleting the bot ends the session on its next request (its authtoken is gone for good)", async () => {
    const { account, ownerActor, bot, token } = await agentAccount();
    const id = await startedSession(token.token);
    expect((await deleteBots(ownerActor, { ids: [bot.id] }, NO_CTX)).ok).toBe(true);
    expect((await agent("POST", `/sessions/${id}/heartbeat`, { token: token.token })).body.error_code).toBe("ERR_NGROK_107");
    expect(await db().tunnelSession.findUniqueOrThrow({ where: { id } })).toMatchObject({ endReason: "credential_refused:credential_deleted" });
    expect(await eventsOf(account.id, "agent.session_ended")).toHaveLength(1);
  });

  it("a wrong secret naming a live credential's id ends nothing", async () => {
    const { token } = await agentAccount();
    const id = await startedSession(token.token);
    // Well formed, the right credential id and checksum, another secret: "unknown", proves nothing.
    const forged = issueSecret("authtoken", token.id).token;
    expect((await agent("POST", `/sessions/${id}/heartbeat`, { token: forged })).body.error_code).toBe("ERR_NGROK_107");
    expect((await db().tunnelSession.findUniqueOrThrow({ where: { id } })).endedAt).toBeNull();
  });

  it("a member's own authtoken works too, attributed to the member", async () => {
    const { account, ownerActor } = await agentAccount();
    const member = await createTestPerson(account.id, "member");
    const token = await authtokenFor(ownerActor, member.id);
    const id = await startedSession(token.token);
    expect((await db().tunnelSession.findUniqueOrThrow({ where: { id } })).principalId).toBe(member.id);
  });
});
