import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createTestAccount, createTestBot } from "@/lib/test-support/factories";
import { apiAccount, call, ORIGIN } from "./client";

const errorShape = (code: string, status: number) => ({
  error_code: code,
  status_code: status,
  msg: expect.any(String),
  details: expect.objectContaining({ operation_id: expect.any(String) }),
});

describe("/api/v1/bot_users", () => {
  it("creates a bot (201, ngrok's object with absolute uri and RFC 3339 time), attributed to the key's owner with the key", async () => {
    const { owner } = await apiAccount();
    const res = await call("POST", "/bot_users", { key: owner.key.token, body: { name: "billing-sync" } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^bot_/),
      uri: `${ORIGIN}/api/v1/bot_users/${res.body.id}`,
      name: "billing-sync",
      active: true,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      // Botdesk's extra fields: what the bot is for, who is responsible for it.
      description: "",
      contact: "",
    });
    const [event] = await db().event.findMany({ where: { subjectId: res.body.id } });
    expect(event).toMatchObject({
      type: "bot.created",
      principalId: owner.principal.id,
      source: "api",
      credentialId: owner.key.id,
      credentialDisplay: `bdak_…${owner.key.token.slice(-4)}`,
    });
  });

  it("answers uri with the scheme and host the client used behind a proxy", async () => {
    const { owner } = await apiAccount();
    const res = await call("POST", "/bot_users", {
      key: owner.key.token,
      body: { name: "behind-proxy" },
      headers: { "X-Forwarded-Proto": "https", Host: "bots.example.com" },
    });
    expect(res.body.uri).toBe(`https://bots.example.com/api/v1/bot_users/${res.body.id}`);
  });

  it("creates a deactivated bot with active: false, in one step", async () => {
    const { admin } = await apiAccount();
    const res = await call("POST", "/bot_users", { key: admin.key.token, body: { name: "dormant", active: false } });
    expect(res.status).toBe(201);
    expect(res.body.active).toBe(false);
    const events = await db().event.findMany({ where: { subjectId: res.body.id }, orderBy: { id: "asc" } });
    expect(events).toMatchObject([{ type: "bot.created", data: { after: { name: "dormant", active: false } } }]);
  });

  it("refuses bad names with ngrok's codes, naming the field", async () => {
    const { owner } = await apiAccount();
    const key = owner.key.token;
    expect((await call("POST", "/bot_users", { key, body: { name: "  " } })).body).toMatchObject({ ...errorShape("ERR_NGROK_4109", 400), details: { field: "name" } });
    expect((await call("POST", "/bot_users", { key, body: {} })).body).toMatchObject(errorShape("ERR_NGROK_4109", 400));
    expect((await call("POST", "/bot_users", { key, body: { name: "x".repeat(256) } })).body).toMatchObject(errorShape("ERR_NGROK_4110", 400));
    await call("POST", "/bot_users", { key, body: { name: "Taken" } });
    const taken = await call("POST", "/bot_users", { key, body: { name: "taken" } });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject(errorShape("ERR_NGROK_4112", 409));
    const email = await call("POST", "/bot_users", { key, body: { name: "a@b.example" } });
    expect(email.body).toMatchObject({ ...errorShape("ERR_BOTDESK_400", 400), details: { field: "name" } });
    expect(email.body.msg).toMatch(/^name: /);
    // Any @ (a mistyped email must never match a bot), and a look-alike of a taken name (Cyrillic а, fullwidth).
    expect((await call("POST", "/bot_users", { key, body: { name: "admin @example.com" } })).body).toMatchObject({ ...errorShape("ERR_BOTDESK_400", 400), details: { field: "name" } });
    for (const twin of ["T\u0430ken", "\uFF54\uFF41\uFF4B\uFF45\uFF4E"]) {
      const lookalike = await call("POST", "/bot_users", { key, body: { name: twin } });
      expect(lookalike.body).toMatchObject({ ...errorShape("ERR_NGROK_4112", 409), details: { field: "name" } });
      expect(lookalike.body.msg).toContain('looks like "Taken"');
    }
    const active = await call("POST", "/bot_users", { key, body: { name: "ok", active: "yes" } });
    expect(active.body).toMatchObject({ ...errorShape("ERR_BOTDESK_400", 400), details: { field: "active" } });
    expect((await call("POST", "/bot_users", { key, rawBody: "{not json" })).body).toMatchObject({ error_code: "ERR_BOTDESK_400", details: { field: "body" } });
    expect((await call("POST", "/bot_users", { key, rawBody: "[1]" })).body).toMatchObject({ error_code: "ERR_BOTDESK_400", details: { field: "body" } });
    // Nothing of the refused ones was created.
    const names = (await call("GET", "/bot_users", { key })).body.bot_users.map((b: { name: string }) => b.name);
    expect(names).toHaveLength(2); // "Taken" and the fixture's bot
    expect(names[0]).toBe("Taken");
  });

  it("refuses members' and bots' keys for every bot change (ERR_NGROK_4111) but lets them read", async () => {
    const { member, bot, owner } = await apiAccount();
    const { body: target } = await call("POST", "/bot_users", { key: owner.key.token, body: { name: "target" } });
    for (const key of [member.key.token, bot.key.token]) {
      expect((await call("POST", "/bot_users", { key, body: { name: "nope" } })).body).toMatchObject(errorShape("ERR_NGROK_4111", 403));
      expect((await call("PATCH", `/bot_users/${target.id}`, { key, body: { name: "renamed" } })).body).toMatchObject(errorShape("ERR_NGROK_4111", 403));
      expect((await call("PATCH", `/bot_users/${target.id}`, { key, body: { active: false } })).body).toMatchObject(errorShape("ERR_NGROK_4111", 403));
      expect((await call("PATCH", `/bot_users/${target.id}`, { key, body: {} })).body).toMatchObject(errorShape("ERR_NGROK_4111", 403));
      expect((await call("DELETE", `/bot_users/${target.id}`, { key })).body).toMatchObject(errorShape("ERR_NGROK_4111", 403));
      expect((await call("GET", `/bot_users/${target.id}`, { key })).body).toEqual(target);
    }
    expect((await call("GET", `/bot_users/${target.id}`, { key: owner.key.token })).body).toMatchObject({ name: "target", active: true });
  });

  it("refuses members' and bots' keys before looking at the body: an invalid one is 403 ERR_NGROK_4111, never 400", async () => {
    const { member, bot, owner } = await apiAccount();
    const { body: target } = await call("POST", "/bot_users", { key: owner.key.token, body: { name: "target" } });
    const invalid = [{ name: "" }, { name: 42 }, { name: "x".repeat(300) }, { name: "a@b.example" }, {}, { name: "ok", active: "yes" }];
    for (const key of [member.key.token, bot.key.token]) {
      for (const body of invalid) {
        const created = await call("POST", "/bot_users", { key, body });
        expect(created.status, JSON.stringify(body)).toBe(403);
        expect(created.body).toMatchObject(errorShape("ERR_NGROK_4111", 403));
        expect(created.body.details.field).toBeUndefined();
        const updated = await call("PATCH", `/bot_users/${target.id}`, { key, body });
        expect(updated.body, JSON.stringify(body)).toMatchObject(errorShape("ERR_NGROK_4111", 403));
      }
    }
    // The same bodies from an admin's key are validation errors naming the field.
    expect((await call("POST", "/bot_users", { key: owner.key.token, body: { name: "ok", active: "yes" } })).body).toMatchObject({
      ...errorShape("ERR_BOTDESK_400", 400),
      details: expect.objectContaining({ field: "active" }),
    });
    expect((await call("PATCH", `/bot_users/${target.id}`, { key: owner.key.token, body: { name: "" } })).body).toMatchObject(errorShape("ERR_NGROK_4109", 400));
  });

  it("gets, updates (name, active) and deletes by id; DELETE is 204 with an empty body", async () => {
    const { admin } = await apiAccount();
    const key = admin.key.token;
    const { body: created } = await call("POST", "/bot_users", { key, body: { name: "ci" } });
    expect((await call("GET", `/bot_users/${created.id}`, { key })).body).toEqual(created);

    const renamed = await call("PATCH", `/bot_users/${created.id}`, { key, body: { name: "ci-runner", active: false } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ ...created, name: "ci-runner", active: false });
    const back = await call("PATCH", `/bot_users/${created.id}`, { key, body: { active: true } });
    expect(back.body.active).toBe(true);
    // Description and contact: set by PATCH, answered with the bot, recorded as bot.updated.
    const described = await call("PATCH", `/bot_users/${created.id}`, { key, body: { description: "runs CI", contact: "#ci" } });
    expect(described.body).toMatchObject({ description: "runs CI", contact: "#ci" });
    expect((await call("PATCH", `/bot_users/${created.id}`, { key, body: { contact: "x".repeat(256) } })).body).toMatchObject({ error_code: "ERR_BOTDESK_400", details: { field: "contact" } });
    expect((await db().event.findMany({ where: { subjectId: created.id, type: "bot.updated" } })).map((e) => e.data)).toEqual([
      { before: { description: "", contact: "" }, after: { description: "runs CI", contact: "#ci" } },
    ]);
    const types = (await db().event.findMany({ where: { subjectId: created.id }, orderBy: { id: "asc" } })).map((e) => e.type);
    expect(types).toEqual(["bot.created", "bot.renamed", "bot.deactivated", "bot.reactivated", "bot.updated"]);
    // A bad `active` changes nothing, not even the name sent with it.
    expect((await call("PATCH", `/bot_users/${created.id}`, { key, body: { name: "half", active: 1 } })).body).toMatchObject({ error_code: "ERR_BOTDESK_400", details: { field: "active" } });
    expect((await call("GET", `/bot_users/${created.id}`, { key })).body.name).toBe("ci-runner");
    // A taken name changes nothing either, not even the status sent with it: one transaction.
    await call("POST", "/bot_users", { key, body: { name: "other" } });
    expect((await call("PATCH", `/bot_users/${created.id}`, { key, body: { name: "OTHER", active: false } })).body.error_code).toBe("ERR_NGROK_4112");
    expect((await call("GET", `/bot_users/${created.id}`, { key })).body).toMatchObject({ name: "ci-runner", active: true });

    const deleted = await call("DELETE", `/bot_users/${created.id}`, { key });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect((await call("GET", `/bot_users/${created.id}`, { key })).body).toMatchObject(errorShape("ERR_BOTDESK_404", 404));
    expect((await call("DELETE", `/bot_users/${created.id}`, { key })).status).toBe(404);
    expect((await call("PATCH", `/bot_users/${created.id}`, { key, body: { name: "ghost" } })).status).toBe(404);
  });

  it("answers another account's bot exactly as an unknown id", async () => {
    const { owner } = await apiAccount();
    const other = await createTestAccount();
    const foreign = await createTestBot(other.account.id);
    const unknown = "bot_0000000000000000000000";
    const key = owner.key.token;
    for (const method of ["GET", "PATCH", "DELETE"] as const) {
      const a = await call(method, `/bot_users/${foreign.id}`, { key, body: method === "PATCH" ? { name: "mine" } : undefined });
      const b = await call(method, `/bot_users/${unknown}`, { key, body: method === "PATCH" ? { name: "mine" } : undefined });
      expect(a.status).toBe(404);
      expect({ ...a.body, details: {} }).toEqual({ ...b.body, details: {} });
    }
    expect((await call("GET", "/bot_users/not%20an%20id", { key })).status).toBe(404);
    expect(await db().principal.findUnique({ where: { id: foreign.id } })).toMatchObject({ name: foreign.name, deletedAt: null });
  });

  it("lists newest first in pages of `limit`, with absolute uri and next_page_uri (null on the last page)", async () => {
    const { owner } = await apiAccount();
    const key = owner.key.token;
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      names.push(`bot-${i}`);
      expect((await call("POST", "/bot_users", { key, body: { name: `bot-${i}` } })).status).toBe(201);
    }
    const first = await call("GET", "/bot_users?limit=2", { key });
    expect(first.body.uri).toBe(`${ORIGIN}/api/v1/bot_users?limit=2`);
    expect(first.body.bot_users.map((b: { name: string }) => b.name)).toEqual(["bot-4", "bot-3"]);
    const seen: string[] = [];
    let next: string | null = `${ORIGIN}/api/v1/bot_users?limit=2`;
    while (next) {
      const page = await call("GET", next.slice(`${ORIGIN}/api/v1`.length), { key });
      seen.push(...page.body.bot_users.map((b: { name: string }) => b.name));
      next = page.body.next_page_uri;
      if (next) expect(next).toMatch(new RegExp(`^${ORIGIN}/api/v1/bot_users\\?before_id=bot_\\w+&limit=2$`));
    }
    // The fixture's bot (created first) comes last.
    expect(seen.slice(0, 5)).toEqual([...names].reverse());
    expect(seen).toHaveLength(6);
    // ngrok's JavaScript client sends the cursor as `beforeId`.
    const camel = await call("GET", `/bot_users?limit=2&beforeId=${first.body.bot_users[1].id}`, { key });
    expect(camel.body.bot_users.map((b: { name: string }) => b.name)).toEqual(["bot-2", "bot-1"]);
    const all = await call("GET", "/bot_users", { key });
    expect(all.body.next_page_uri).toBeNull();
    expect(all.body.bot_users).toHaveLength(6);
    for (const limit of ["0", "101", "x", "1.5"]) {
      expect((await call("GET", `/bot_users?limit=${limit}`, { key })).body).toMatchObject({ error_code: "ERR_BOTDESK_400", details: { field: "limit" } });
    }
    expect((await call("GET", "/bot_users?before_id=%00", { key })).body).toMatchObject({ error_code: "ERR_BOTDESK_400", details: { field: "before_id" } });
  });

  it("lists only the key's account's live bots (deleted ones drop out)", async () => {
    const { owner, account } = await apiAccount();
    const other = await createTestAccount();
    await createTestBot(other.account.id, "elsewhere");
    const gone = await createTestBot(account.id, "gone");
    await call("DELETE", `/bot_users/${gone.id}`, { key: owner.key.token });
    const names = (await call("GET", "/bot_users", { key: owner.key.token })).body.bot_users.map((b: { name: string }) => b.name);
    expect(names).not.toContain("elsewhere");
    expect(names).not.toContain("gone");
  });

  it("serves the same bots under /service_users, with that path in uri and the list key", async () => {
    const { owner } = await apiAccount();
    const key = owner.key.token;
    const { body: created } = await call("POST", "/service_users", { key, body: { name: "svc" } });
    expect(created.uri).toBe(`${ORIGIN}/api/v1/service_users/${created.id}`);
    const viaBots = await call("GET", `/bot_users/${created.id}`, { key });
    expect(viaBots.body.uri).toBe(`${ORIGIN}/api/v1/bot_users/${created.id}`);
    const list = await call("GET", "/service_users", { key });
    expect(list.body.service_users.map((b: { id: string }) => b.id)).toContain(created.id);
    expect((await call("PATCH", `/service_users/${created.id}`, { key, body: { name: "svc-2" } })).body.name).toBe("svc-2");
    expect((await call("DELETE", `/service_users/${created.id}`, { key })).status).toBe(204);
  });
});
