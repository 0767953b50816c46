import agentSdk from "@ngrok/ngrok";
import { Ngrok } from "@ngrok/ngrok-api";
import { expect, test } from "@playwright/test";
import { issueSecret } from "../lib/domain/credentials/token-format";
import { newId } from "../lib/ids";
import { sshKeygen } from "../lib/test-support/ssh-keys";
import { E2E_AGENT_PORT, E2E_PORT } from "./support/constants";
import { sql } from "./support/db";
import { acmeId, stamp } from "./support/users";

// The REST API through ngrok's own published JavaScript client (@ngrok/ngrok-api),
// pointed at the production server with only its base URL and API key changed.

const BASE = `http://localhost:${E2E_PORT}/api/v1`;

/** An API key for a principal of Acme, made as an admin with psql would (the secret is returned once). */
async function apiKeyFor(ownerId: string): Promise<string> {
  const id = newId("apiKey");
  const { token, hash, hint } = issueSecret("api_key", id);
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
    VALUES (${id}, ${await acmeId()}, 'api_key', ${ownerId}, 'e2e api', ${hash}, ${hint})`;
  return token;
}

async function adminClient(): Promise<Ngrok> {
  const [admin] = await sql<{ id: string }>`SELECT id FROM principals WHERE email = 'admin@example.com'`;
  return new Ngrok({ apiToken: await apiKeyFor(admin!.id), baseUrl: BASE });
}

/**
 * ngrok's client (0.11.0) parses every answer as JSON, also a DELETE's 204
 * (which ngrok's own API sends without a body, as Botdesk does), so its
 * delete() rejects with a SyntaxError after the deletion has happened.
 */
async function deleted(call: Promise<unknown>): Promise<void> {
  await call.then(
    () => undefined,
    (error: unknown) => {
      if (!(error instanceof SyntaxError)) throw error;
    },
  );
}

const apiError = (code: string, status: number) => expect.objectContaining({ errorCode: code, statusCode: status });

test("bot users: create, list across several pages, get, update and delete with ngrok's client", async () => {
  const ngrok = await adminClient();
  const prefix = `e2e-api-${stamp()}`;
  const made = [];
  for (let i = 0; i < 7; i++) made.push(await ngrok.botUsers.create({ name: `${prefix}-${i}` }));
  expect(made[0]).toMatchObject({ name: `${prefix}-0`, active: true, uri: `${BASE}/bot_users/${made[0]!.id}` });
  expect(made[0]!.id).toMatch(/^bot_/);

  // Pages of 3: the client follows next_page_uri until it is null.
  const [row] = await sql<{ count: string }>`SELECT count(*) FROM principals WHERE kind = 'bot' AND deleted_at IS NULL AND account_id = ${await acmeId()}`;
  const count = row!.count;
  const all = await ngrok.botUsers.list(undefined, "3");
  expect(all).toHaveLength(Number(count));
  expect(Number(count)).toBeGreaterThan(6);
  const ours = all.filter((b) => b.name.startsWith(prefix)).map((b) => b.name);
  expect(ours).toEqual(made.map((b) => b.name).reverse());
  const raw = await (await fetch(`${BASE}/bot_users?limit=3`, { headers: { Authorization: `Bearer ${(ngrok as unknown as { token: string }).token}` } })).json();
  expect(raw.next_page_uri).toBe(`${BASE}/bot_users?before_id=${raw.bot_users[2].id}&limit=3`);

  const bot = made[3]!;
  expect(await ngrok.botUsers.get(bot.id)).toEqual(bot);
  const updated = await ngrok.botUsers.update({ id: bot.id, name: `${prefix}-renamed`, active: false });
  expect(updated).toMatchObject({ id: bot.id, name: `${prefix}-renamed`, active: false });
  await expect(ngrok.botUsers.create({ name: `${prefix}-RENAMED` })).rejects.toEqual(apiError("ERR_NGROK_4112", 409));
  await expect(ngrok.botUsers.create({ name: "" })).rejects.toEqual(apiError("ERR_NGROK_4109", 400));

  for (const b of made) await deleted(ngrok.botUsers.delete(b.id));
  await expect(ngrok.botUsers.get(bot.id)).rejects.toEqual(apiError("ERR_BOTDESK_404", 404));
  const error = await ngrok.botUsers.get(bot.id).catch((e: { details: Map<string, string> }) => e);
  expect((error as { details: Map<string, string> }).details.get("operationId")).toMatch(/^[0-9a-f-]{36}$/);
});

test("a bot's API keys, authtokens and SSH keys with ngrok's client; the bot's key acts as the bot", async () => {
  const ngrok = await adminClient();
  const bot = await ngrok.botUsers.create({ name: `e2e-api-creds-${stamp()}` });

  const key = await ngrok.apiKeys.create({ description: "deploys", metadata: '{"team":"ops"}', ownerId: bot.id });
  expect(key.token).toMatch(/^bdak_/);
  expect(key.ownerId).toBe(bot.id);
  expect(await ngrok.apiKeys.get(key.id)).toMatchObject({ id: key.id, description: "deploys", token: null });
  expect(await ngrok.apiKeys.update({ id: key.id, description: "deploys (prod)" })).toMatchObject({ description: "deploys (prod)" });
  expect((await ngrok.apiKeys.list()).map((k) => k.id)).toContain(key.id);

  const authtoken = await ngrok.credentials.create({ acl: ["bind:*.example.com"], ownerId: bot.id, description: "edge" });
  expect(authtoken).toMatchObject({ acl: ["bind:*.example.com"], ownerId: bot.id, token: expect.stringMatching(/^bdat_/) });
  expect(await ngrok.credentials.update({ id: authtoken.id, acl: ["bind:api.example.com"] })).toMatchObject({ acl: ["bind:api.example.com"], token: null });
  await expect(ngrok.credentials.create({ acl: ["bind:*.*.example.com"] })).rejects.toEqual(apiError("ERR_BOTDESK_400", 400));
  expect(await ngrok.credentials.get(authtoken.id)).toMatchObject({ id: authtoken.id, acl: ["bind:api.example.com"], token: null, ownerId: bot.id });
  expect((await ngrok.credentials.list()).map((c) => c.id)).toContain(authtoken.id);

  const { publicKey } = sshKeygen("ed25519");
  const ssh = await ngrok.sshCredentials.create({ publicKey, acl: [], ownerId: bot.id });
  expect(ssh).toMatchObject({ publicKey, ownerId: bot.id });
  expect((await ngrok.sshCredentials.list()).map((c) => c.id)).toContain(ssh.id);
  expect(await ngrok.sshCredentials.get(ssh.id)).toMatchObject({ id: ssh.id, publicKey, ownerId: bot.id });
  expect(await ngrok.sshCredentials.update({ id: ssh.id, description: "deploy box", acl: ["bind:ssh.example.com"] })).toMatchObject({
    id: ssh.id,
    description: "deploy box",
    acl: ["bind:ssh.example.com"],
    ownerId: bot.id,
  });

  // The bot's own key: reads, manages its own credentials, never bots.
  const asBot = new Ngrok({ apiToken: key.token!, baseUrl: BASE });
  expect((await asBot.botUsers.get(bot.id)).name).toBe(bot.name);
  const own = await asBot.credentials.create({ acl: [], description: "self-service" });
  expect(own.ownerId).toBe(bot.id);
  await expect(asBot.botUsers.create({ name: `e2e-api-child-${stamp()}` })).rejects.toEqual(apiError("ERR_NGROK_4111", 403));
  const [event] = await sql<{ principal_id: string; source: string; credential_id: string }>`
    SELECT principal_id, source, credential_id FROM events WHERE subject_id = ${own.id} AND type = 'credential.created'`;
  expect(event).toEqual({ principal_id: bot.id, source: "api", credential_id: key.id });

  // Deactivating the bot refuses its key from the very next request; reactivating restores it.
  await ngrok.botUsers.update({ id: bot.id, active: false });
  await expect(asBot.botUsers.get(bot.id)).rejects.toEqual(apiError("ERR_NGROK_636", 403));
  await ngrok.botUsers.update({ id: bot.id, active: true });
  expect((await asBot.botUsers.get(bot.id)).active).toBe(true);

  await deleted(ngrok.sshCredentials.delete(ssh.id));
  await deleted(ngrok.credentials.delete(authtoken.id));
  await deleted(ngrok.apiKeys.delete(key.id));
  // One at a time: a request started before its rejection is awaited is an unhandled rejection,
  // which fails the test when the answer comes first (CI saw it on PostgreSQL 15).
  for (const gone of [() => ngrok.sshCredentials.get(ssh.id), () => ngrok.credentials.get(authtoken.id), () => ngrok.apiKeys.get(key.id)]) {
    await expect(gone()).rejects.toEqual(apiError("ERR_BOTDESK_404", 404));
  }
  await expect(asBot.botUsers.get(bot.id)).rejects.toEqual(apiError("ERR_NGROK_300", 401));
  await deleted(ngrok.botUsers.delete(bot.id));
});

test("an admin's key creates credentials for bots and members, never for an admin or the owner (the key would act as them)", async () => {
  const account = await acmeId();
  // Two admins of Acme (the demo's admin@example.com is its owner), made as an owner with psql would.
  const admins: string[] = [];
  for (let i = 0; i < 2; i++) {
    const id = newId("person");
    await sql`INSERT INTO principals (id, kind, name, email) VALUES (${id}, 'person', ${`E2E Admin ${i}`}, ${`e2e-admin-${stamp()}@example.test`})`;
    await sql`INSERT INTO memberships (account_id, principal_id, role) VALUES (${account}, ${id}, 'admin')`;
    admins.push(id);
  }
  const [adminId, otherAdminId] = admins as [string, string];
  try {
    const asAdmin = new Ngrok({ apiToken: await apiKeyFor(adminId), baseUrl: BASE });
    const [owner] = await sql<{ id: string }>`SELECT id FROM principals WHERE email = 'admin@example.com'`;
    const [member] = await sql<{ id: string }>`SELECT id FROM principals WHERE email = 'member@example.com'`;
    const count = async (ownerId: string) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM credentials WHERE owner_id = ${ownerId}`)[0]!.n;
    const ownersKeys = await count(owner!.id);

    await expect(asAdmin.apiKeys.create({ ownerId: owner!.id, description: "as the owner" })).rejects.toEqual(apiError("ERR_BOTDESK_4113", 403));
    await expect(asAdmin.credentials.create({ ownerId: owner!.id, acl: [] })).rejects.toEqual(apiError("ERR_BOTDESK_4113", 403));
    await expect(asAdmin.apiKeys.create({ ownerId: otherAdminId })).rejects.toEqual(apiError("ERR_BOTDESK_4113", 403));
    expect(await count(owner!.id)).toBe(ownersKeys);
    expect(await count(otherAdminId)).toBe(0);

    // For a member: made, and it acts as the member (who may not create bots); the event names both.
    const key = await asAdmin.apiKeys.create({ ownerId: member!.id, description: "made by an admin" });
    expect(key.ownerId).toBe(member!.id);
    const asMember = new Ngrok({ apiToken: key.token!, baseUrl: BASE });
    await expect(asMember.botUsers.create({ name: `e2e-member-${stamp()}` })).rejects.toEqual(apiError("ERR_NGROK_4111", 403));
    const [event] = await sql<{ principal_id: string; owner_id: string; source: string }>`
      SELECT principal_id, data->'owner'->>'id' AS owner_id, source::text AS source FROM events WHERE type = 'credential.created' AND subject_id = ${key.id}`;
    expect(event).toEqual({ principal_id: adminId, owner_id: member!.id, source: "api" });

    // The owner's key may: an owner may already act on anyone.
    const forAdmin = await (await adminClient()).apiKeys.create({ ownerId: otherAdminId, description: "made by the owner" });
    expect(forAdmin.ownerId).toBe(otherAdminId);
    await deleted(asMember.apiKeys.delete(key.id));
  } finally {
    // Leave Acme's seats as they were.
    for (const id of admins) {
      await sql`DELETE FROM credentials WHERE owner_id = ${id}`;
      await sql`DELETE FROM memberships WHERE principal_id = ${id}`;
    }
  }
});

test("the proxy and Auth.js leave bearer requests alone; unknown routes are JSON; the OpenAPI document is public; a foreign Origin is still refused", async () => {
  const ngrok = await adminClient();
  const token = (ngrok as unknown as { token: string }).token;
  // No session cookie, no redirect to sign-in: the key alone decides.
  const list = await fetch(`${BASE}/bot_users?limit=1`, { headers: { Authorization: `Bearer ${token}` }, redirect: "manual" });
  expect(list.status).toBe(200);
  expect(list.headers.get("content-type")).toMatch(/^application\/json/);
  const none = await fetch(`${BASE}/bot_users`, { redirect: "manual" });
  expect(none.status).toBe(401);
  expect(await none.json()).toMatchObject({ error_code: "ERR_BOTDESK_100", status_code: 401 });
  const unknown = await fetch(`${BASE}/no_such_thing`, { headers: { Authorization: `Bearer ${token}` } });
  expect(unknown.status).toBe(404);
  expect(await unknown.json()).toMatchObject({ error_code: "ERR_BOTDESK_404" });
  // Every path under /api and /agent that is no route, roots included, answers JSON, never the HTML page.
  const origin = `http://localhost:${E2E_PORT}`;
  // /agent has no routes at all (agents speak ngrok's protocol to the agent listener): its 404 says so.
  for (const path of ["/api", "/api/nope", "/api/v2/bot_users", "/api/health/x", "/api/v1", "/api/v1/bot_users/x/y", "/agent", "/agent/nope", "/agent/sessions", "/agent/sessions/ts_x/heartbeat"]) {
    for (const method of ["GET", "POST"]) {
      const res = await fetch(`${origin}${path}`, { method, redirect: "manual" });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.headers.get("content-type"), `${method} ${path}`).toMatch(/^application\/json/);
      const body = await res.json();
      expect(body, `${method} ${path}`).toMatchObject({ error_code: "ERR_BOTDESK_404", status_code: 404, details: { operation_id: expect.any(String) } });
      expect(body.msg).toBe(
        path.startsWith("/agent")
          ? `No agent route ${method} ${path}: agents connect with ngrok's agent protocol to the agent listener (BOTDESK_AGENT_PORT, see docs/agents.md), not over HTTP.`
          : `No API route ${method} ${path}.`,
      );
    }
  }
  const doc = await fetch(`${BASE}/openapi.json`);
  expect(doc.status).toBe(200);
  expect(await doc.json()).toMatchObject({ openapi: "3.1.0", servers: [{ url: BASE }] });
  expect(list.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
  // A page of another site cannot make a browser POST here (nor could it read the answer).
  const foreign = await fetch(`${BASE}/bot_users`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, Origin: "https://evil.example", "Content-Type": "application/json" },
    body: JSON.stringify({ name: `e2e-api-csrf-${stamp()}` }),
  });
  expect(foreign.status).toBe(403);
  expect(await foreign.json()).toMatchObject({ error_code: "ERR_BOTDESK_403", status_code: 403, details: { operation_id: expect.any(String) } });
});

test("tunnel sessions with ngrok's client: an agent's sessions listed across pages and got by id", async ({ request }) => {
  const ngrok = await adminClient();
  const bot = await ngrok.botUsers.create({ name: `e2e-api-sessions-${stamp()}` });
  const authtoken = await ngrok.credentials.create({ acl: [], ownerId: bot.id, description: "e2e sessions" });
  // Two sessions of ngrok's own agent SDK with the bot's authtoken, against the e2e server's agent listener.
  const ca = Buffer.from(await (await request.get(`http://localhost:${E2E_PORT}/agent-ca.pem`)).text());
  const agents: agentSdk.Session[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      agents.push(await new agentSdk.SessionBuilder().authtoken(authtoken.token!).serverAddr(`localhost:${E2E_AGENT_PORT}`).caCert(ca).metadata("e2e").connect());
    }
    const ids = (await sql<{ id: string }>`SELECT id FROM tunnel_sessions WHERE credential_id = ${authtoken.id} ORDER BY started_at, id`).map((r) => r.id);
    expect(ids).toHaveLength(2);
    // Pages of 1: the client follows next_page_uri (sending beforeId) until it is null.
    const all = await ngrok.tunnelSessions.list(undefined, "1");
    const ours = all.filter((s) => s.credential.id === authtoken.id);
    expect(ours.map((s) => s.id)).toEqual([...ids].reverse());
    expect(ours[0]).toMatchObject({ agentVersion: "1.7.0", metadata: "e2e", transport: "ngrok/v2", region: "local", ip: "127.0.0.1" });
    expect(ours[0]!.os).not.toBe("unknown");
    expect(ours[0]!.credential.uri).toBe(`${BASE}/credentials/${authtoken.id}`);
    const one = await ngrok.tunnelSessions.get(ids[0]!);
    expect(one).toMatchObject({ id: ids[0], uri: `${BASE}/tunnel_sessions/${ids[0]}` });
  } finally {
    await Promise.all(agents.map((a) => a.close().catch(() => {})));
  }
  await deleted(ngrok.botUsers.delete(bot.id));
});
