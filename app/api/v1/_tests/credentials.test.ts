import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { actorOf, createTestAccount, createTestBot } from "@/lib/test-support/factories";
import { sshKeygen } from "@/lib/test-support/ssh-keys";
import { apiAccount, apiKeyFor, call, ORIGIN } from "./client";

const ids = (list: { id: string }[]) => list.map((c) => c.id);

describe("/api/v1/api_keys, /credentials, /ssh_credentials", () => {
  it("creates an API key for a bot: token only in the create response, list under `keys`, get without token", async () => {
    const { owner, bot } = await apiAccount();
    const key = owner.key.token;
    const res = await call("POST", "/api_keys", { key, body: { description: "deploys", metadata: '{"team":"ops"}', owner_id: bot.principal.id } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^ak_/),
      uri: `${ORIGIN}/api/v1/api_keys/${res.body.id}`,
      created_at: expect.stringMatching(/Z$/),
      description: "deploys",
      metadata: '{"team":"ops"}',
      token: expect.stringMatching(/^bdak_/),
      owner_id: bot.principal.id,
    });
    const got = await call("GET", `/api_keys/${res.body.id}`, { key });
    expect(got.body).toEqual({ ...res.body, token: null });
    const list = await call("GET", "/api_keys", { key });
    expect(ids(list.body.keys)).toContain(res.body.id);
    expect(list.body.keys[0]).toEqual({ ...res.body, token: null });
    // The new key works at once, as its owner.
    expect((await call("GET", "/bot_users", { key: res.body.token })).status).toBe(200);
    // The secret is in no event.
    const events = await db().event.findMany({ where: { subjectId: res.body.id } });
    expect(JSON.stringify(events)).not.toContain(res.body.token);
    expect(events[0]).toMatchObject({ type: "credential.created", source: "api", principalId: owner.principal.id, credentialId: owner.key.id, botId: bot.principal.id });
  });

  it("creates authtokens with an ACL and refuses a bad rule, naming the field", async () => {
    const { admin, bot } = await apiAccount();
    const key = admin.key.token;
    const res = await call("POST", "/credentials", { key, body: { owner_id: bot.principal.id, acl: ["bind:*.example.com", "bind:env=prod"] } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^cr_/), token: expect.stringMatching(/^bdat_/), acl: ["bind:*.example.com", "bind:env=prod"] });
    const bad = await call("POST", "/credentials", { key, body: { acl: ["bind:*.*.com"] } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error_code: "ERR_BOTDESK_400", details: { field: "acl" } });
    expect(bad.body.msg).toMatch(/^acl: ACL rule 1/);
    expect((await call("POST", "/api_keys", { key, body: { acl: ["*"] } })).body).toMatchObject({ details: { field: "acl" } });
    expect((await call("POST", "/credentials", { key, body: { description: 42 } })).body).toMatchObject({ details: { field: "description" } });
    expect((await call("POST", "/credentials", { key, body: { description: "x".repeat(256) } })).body).toMatchObject({ details: { field: "description" } });
    expect((await call("POST", "/credentials", { key, body: { metadata: "x".repeat(4097) } })).body).toMatchObject({ details: { field: "metadata" } });
    // An authtoken is not an API key: the API refuses it.
    expect((await call("GET", "/bot_users", { key: res.body.token })).body.error_code).toBe("ERR_NGROK_107");
  });

  it("creates SSH credentials from a public key, refusing a missing or duplicate one", async () => {
    const { owner, bot } = await apiAccount();
    const key = owner.key.token;
    const { publicKey } = sshKeygen("ed25519");
    const res = await call("POST", "/ssh_credentials", { key, body: { public_key: publicKey, owner_id: bot.principal.id, acl: ["bind:ssh.example.com"] } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^sshcr_/), public_key: publicKey, acl: ["bind:ssh.example.com"], owner_id: bot.principal.id });
    expect(res.body).not.toHaveProperty("token");
    expect((await call("POST", "/ssh_credentials", { key, body: {} })).body).toMatchObject({ error_code: "ERR_BOTDESK_400", details: { field: "public_key" } });
    expect((await call("POST", "/ssh_credentials", { key, body: { public_key: "ssh-ed25519 AAAA" } })).body).toMatchObject({ details: { field: "public_key" } });
    const dup = await call("POST", "/ssh_credentials", { key, body: { public_key: publicKey } });
    expect(dup.body).toMatchObject({ error_code: "ERR_BOTDESK_409", status_code: 409 });
    expect(ids((await call("GET", "/ssh_credentials", { key })).body.ssh_credentials)).toEqual([res.body.id]);
  });

  it("updates description, metadata and acl only, recording credential.updated with before and after", async () => {
    const { owner, bot } = await apiAccount();
    const key = owner.key.token;
    const { body: created } = await call("POST", "/credentials", { key, body: { owner_id: bot.principal.id, description: "old", metadata: "m" } });
    const res = await call("PATCH", `/credentials/${created.id}`, { key, body: { description: "new", acl: ["bind:a.example.com"] } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...created, token: null, description: "new", metadata: "m", acl: ["bind:a.example.com"] });
    const [event] = await db().event.findMany({ where: { subjectId: created.id, type: "credential.updated" } });
    expect(event).toMatchObject({
      source: "api",
      credentialId: owner.key.id,
      botId: bot.principal.id,
      data: { before: { description: "old", acl: [] }, after: { description: "new", acl: ["bind:a.example.com"] } },
    });
    // The same values again change nothing and record nothing.
    await call("PATCH", `/credentials/${created.id}`, { key, body: { description: "new" } });
    expect(await db().event.count({ where: { subjectId: created.id, type: "credential.updated" } })).toBe(1);
    const owned = await call("PATCH", `/credentials/${created.id}`, { key, body: { owner_id: owner.principal.id } });
    expect(owned.body).toMatchObject({ error_code: "ERR_BOTDESK_400", details: { field: "owner_id" } });
    expect((await call("PATCH", `/api_keys/${owner.key.id}`, { key, body: { acl: [] } })).body).toMatchObject({ details: { field: "acl" } });
    expect((await call("PATCH", `/api_keys/${owner.key.id}`, { key, body: { metadata: "rotated monthly" } })).body.metadata).toBe("rotated monthly");
    expect((await db().credential.findUnique({ where: { id: created.id } }))?.ownerId).toBe(bot.principal.id);
  });

  it("deletes (revokes) with 204 and an empty body; the key is refused from then on", async () => {
    const { owner, bot } = await apiAccount();
    const res = await call("DELETE", `/api_keys/${bot.key.id}`, { key: owner.key.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect((await call("GET", `/api_keys/${bot.key.id}`, { key: owner.key.token })).status).toBe(404);
    expect((await call("GET", "/bot_users", { key: bot.key.token })).body.error_code).toBe("ERR_NGROK_300");
    expect(await db().event.count({ where: { subjectId: bot.key.id, type: "credential.revoked", source: "api" } })).toBe(1);
  });

  it("answers ids of another kind or account, and revoked ones, exactly as unknown ids", async () => {
    const { owner } = await apiAccount();
    const key = owner.key.token;
    const other = await createTestAccount();
    const foreignBot = await createTestBot(other.account.id);
    const foreign = await apiKeyFor(actorOf(other.account, other.owner, "owner"), foreignBot.id);
    const { body: authtoken } = await call("POST", "/credentials", { key, body: {} });
    for (const [method, path] of [
      ["GET", `/api_keys/${foreign.id}`],
      ["PATCH", `/api_keys/${foreign.id}`],
      ["DELETE", `/api_keys/${foreign.id}`],
      ["GET", `/api_keys/${authtoken.id}`],
      ["DELETE", `/ssh_credentials/${authtoken.id}`],
      ["GET", "/api_keys/ak_0000000000000000000000"],
    ] as const) {
      const res = await call(method, path, { key, body: method === "PATCH" ? { description: "x" } : undefined });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error_code).toBe("ERR_BOTDESK_404");
    }
    expect((await call("GET", "/bot_users", { key: foreign.token })).status).toBe(200);
  });

  it("lets a member's key manage only its own credentials, and see its own and bots'", async () => {
    const { owner, member, bot } = await apiAccount();
    const key = member.key.token;
    const mine = await call("POST", "/credentials", { key, body: { description: "laptop" } });
    expect(mine.status).toBe(201);
    expect(mine.body.owner_id).toBe(member.principal.id);
    const forBot = await call("POST", "/credentials", { key, body: { owner_id: bot.principal.id } });
    expect(forBot.body).toMatchObject({ error_code: "ERR_BOTDESK_4113", status_code: 403 });
    // Refused before validation: an invalid body for someone else's credential tells a member nothing more.
    const invalidForBot = await call("POST", "/credentials", { key, body: { owner_id: bot.principal.id, description: "x".repeat(1000), acl: ["nonsense"] } });
    expect(invalidForBot.body).toMatchObject({ error_code: "ERR_BOTDESK_4113", status_code: 403 });
    const listed = ids((await call("GET", "/api_keys", { key })).body.keys);
    expect(listed).toEqual(expect.arrayContaining([member.key.id, bot.key.id]));
    expect(listed).not.toContain(owner.key.id);
    expect((await call("GET", `/api_keys/${owner.key.id}`, { key })).status).toBe(404);
    expect((await call("GET", `/api_keys/${bot.key.id}`, { key })).status).toBe(200);
    // A bot's credential is visible but not the member's to change.
    expect((await call("PATCH", `/api_keys/${bot.key.id}`, { key, body: { description: "mine now" } })).status).toBe(404);
    expect((await call("DELETE", `/api_keys/${bot.key.id}`, { key })).status).toBe(404);
    expect((await call("PATCH", `/credentials/${mine.body.id}`, { key, body: { description: "desktop" } })).body.description).toBe("desktop");
    expect((await call("DELETE", `/credentials/${mine.body.id}`, { key })).status).toBe(204);
  });

  it("lets a bot's key create credentials for itself only, acting as itself", async () => {
    const { account, owner, bot } = await apiAccount();
    const other = await createTestBot(account.id);
    const key = bot.key.token;
    const own = await call("POST", "/api_keys", { key, body: { description: "rotation" } });
    expect(own.status).toBe(201);
    expect(own.body.owner_id).toBe(bot.principal.id);
    const [event] = await db().event.findMany({ where: { subjectId: own.body.id } });
    expect(event).toMatchObject({ principalId: bot.principal.id, source: "api", credentialId: bot.key.id, botId: bot.principal.id });
    expect((await call("POST", "/api_keys", { key, body: { owner_id: other.id } })).body.error_code).toBe("ERR_BOTDESK_4113");
    expect((await call("POST", "/api_keys", { key, body: { owner_id: owner.principal.id } })).body.error_code).toBe("ERR_BOTDESK_4113");
    expect((await call("POST", "/bot_users", { key, body: { name: "child" } })).body.error_code).toBe("ERR_NGROK_4111");
    expect((await call("DELETE", `/api_keys/${own.body.id}`, { key })).status).toBe(204);
  });

  it("lets an admin's key manage everyone's credentials", async () => {
    const { admin, member, owner } = await apiAccount();
    const key = admin.key.token;
    const forMember = await call("POST", "/credentials", { key, body: { owner_id: member.principal.id } });
    expect(forMember.status).toBe(201);
    expect((await call("PATCH", `/api_keys/${owner.key.id}`, { key, body: { description: "owner's" } })).status).toBe(200);
    expect((await call("DELETE", `/credentials/${forMember.body.id}`, { key })).status).toBe(204);
    expect(ids((await call("GET", "/api_keys", { key })).body.keys)).toEqual(expect.arrayContaining([owner.key.id, member.key.id, admin.key.id]));
  });

  it("pages credentials newest first with before_id and limit", async () => {
    const { owner } = await apiAccount();
    const key = owner.key.token;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await call("POST", "/credentials", { key, body: { description: `t${i}` } })).body.id);
    const first = await call("GET", "/credentials?limit=3", { key });
    expect(ids(first.body.credentials)).toEqual([made[4], made[3], made[2]]);
    expect(first.body.next_page_uri).toBe(`${ORIGIN}/api/v1/credentials?before_id=${made[2]}&limit=3`);
    const second = await call("GET", `/credentials?before_id=${made[2]}&limit=3`, { key });
    expect(ids(second.body.credentials)).toEqual([made[1], made[0]]);
    expect(second.body.next_page_uri).toBeNull();
  });

  it("goes on from a cursor whose credential is gone meanwhile (deleted with its bot)", async () => {
    const { owner, account } = await apiAccount();
    const key = owner.key.token;
    const doomed = await createTestBot(account.id);
    const older = (await call("POST", "/credentials", { key, body: { description: "older" } })).body.id;
    const gone = (await call("POST", "/credentials", { key, body: { owner_id: doomed.id } })).body.id;
    const newer = (await call("POST", "/credentials", { key, body: { description: "newer" } })).body.id;
    const first = await call("GET", "/credentials?limit=2", { key });
    expect(ids(first.body.credentials)).toEqual([newer, gone]);
    expect((await call("DELETE", `/bot_users/${doomed.id}`, { key })).status).toBe(204);
    const next = await call("GET", first.body.next_page_uri.slice(`${ORIGIN}/api/v1`.length), { key });
    expect(ids(next.body.credentials)).toEqual([older]);
  });
});
