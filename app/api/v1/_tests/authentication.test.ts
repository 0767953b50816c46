import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { REFUSALS_RECORDED_PER_MINUTE } from "@/lib/domain/access/authenticate-credential";
import { deleteBots } from "@/lib/domain/bots/delete-bots";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { revokeCredentials } from "@/lib/domain/credentials/revoke-credentials";
import { issueSecret } from "@/lib/domain/credentials/token-format";
import { setPersonActive } from "@/lib/domain/people/set-person-active";
import { REQUEST_ID_HEADER } from "@/lib/server/request-id";
import { apiAccount, call } from "./client";

const ctx = { ip: null, userAgent: null };
const refusals = (credentialId: string) => db().event.findMany({ where: { type: "credential.refused", credentialId } });

describe("authenticating API requests", () => {
  it("asks for a key when none is sent (401 with WWW-Authenticate)", async () => {
    const res = await call("GET", "/bot_users");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(res.body).toMatchObject({ error_code: "ERR_BOTDESK_100", status_code: 401 });
    expect((await call("GET", "/bot_users", { headers: { Authorization: "Basic Zm9vOmJhcg==" } })).body.error_code).toBe("ERR_BOTDESK_100");
  });

  it("refuses malformed, unknown and non-API-key secrets with ERR_NGROK_107, recording nothing", async () => {
    const { owner } = await apiAccount();
    const forged = issueSecret("api_key", "ak_0000000000000000000000").token;
    const authtoken = await createCredential(owner.actor, { kind: "authtoken" }, ctx);
    const before = await db().event.count();
    const wrongSecret = owner.key.token.replace(/_[0-9A-Za-z]{32}_/, `_${"A".repeat(32)}_`);
    for (const key of ["garbage", forged, wrongSecret, authtoken.ok ? authtoken.data.token! : "", `${owner.key.token.slice(0, -1)}${owner.key.token.endsWith("x") ? "y" : "x"}`]) {
      const res = await call("GET", "/bot_users", { key });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error_code: "ERR_NGROK_107", status_code: 401 });
    }
    expect(await db().event.count()).toBe(before);
  });

  it("refuses a revoked key (ERR_NGROK_300) and records one credential.refused for its owner", async () => {
    const { owner, admin } = await apiAccount();
    await revokeCredentials(owner.actor, { ids: [admin.key.id] }, ctx);
    const res = await call("GET", "/bot_users?limit=5", { key: admin.key.token });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error_code: "ERR_NGROK_300", status_code: 401 });
    const events = await refusals(admin.key.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      principalId: admin.principal.id,
      source: "api",
      credentialDisplay: `bdak_…${admin.key.token.slice(-4)}`,
      data: { reason: "revoked", path: "GET /api/v1/bot_users" },
    });
  });

  it("refuses a deactivated bot's key from the next request on (ERR_NGROK_636, 403), and again after reactivation works", async () => {
    const { owner, bot } = await apiAccount();
    expect((await call("GET", "/bot_users", { key: bot.key.token })).status).toBe(200);
    await setBotsActive(owner.actor, { ids: [bot.principal.id], active: false }, ctx);
    const res = await call("GET", "/bot_users", { key: bot.key.token });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error_code: "ERR_NGROK_636", status_code: 403 });
    expect(await refusals(bot.key.id)).toMatchObject([{ principalId: bot.principal.id, botId: bot.principal.id, data: { reason: "owner_deactivated" } }]);
    await setBotsActive(owner.actor, { ids: [bot.principal.id], active: true }, ctx);
    expect((await call("GET", "/bot_users", { key: bot.key.token })).status).toBe(200);
  });

  it("refuses a deactivated person's key (ERR_NGROK_636)", async () => {
    const { owner, member } = await apiAccount();
    const result = await setPersonActive(owner.actor, { personId: member.principal.id, active: false }, ctx);
    expect(result.ok).toBe(true);
    expect((await call("GET", "/bot_users", { key: member.key.token })).body.error_code).toBe("ERR_NGROK_636");
  });

  it("refuses a deleted bot's key (its credentials are gone with it: ERR_NGROK_107) and an expired key (ERR_BOTDESK_301)", async () => {
    const { owner, bot } = await apiAccount();
    await deleteBots(owner.actor, { ids: [bot.principal.id] }, ctx);
    expect((await call("GET", "/bot_users", { key: bot.key.token })).body.error_code).toBe("ERR_NGROK_107");
    await db().credential.update({ where: { id: owner.key.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await call("GET", "/bot_users", { key: owner.key.token });
    expect(res.body).toMatchObject({ error_code: "ERR_BOTDESK_301", status_code: 401 });
    expect(await refusals(owner.key.id)).toMatchObject([{ data: { reason: "expired" } }]);
  });

  it("refuses the key of a bot marked deleted whose credential survived (ERR_BOTDESK_302)", async () => {
    const { bot } = await apiAccount();
    // Only a direct database edit can leave this state: deleting a bot deletes its credentials.
    await db().principal.update({ where: { id: bot.principal.id }, data: { deletedAt: new Date(), nameKey: null } });
    expect((await call("GET", "/bot_users", { key: bot.key.token })).body).toMatchObject({ error_code: "ERR_BOTDESK_302", status_code: 401 });
    expect(await refusals(bot.key.id)).toMatchObject([{ data: { reason: "owner_deleted" } }]);
  });

  it("accepts Ngrok-Version 2 or none, refuses others", async () => {
    const { owner } = await apiAccount();
    expect((await call("GET", "/bot_users", { key: owner.key.token, headers: { "Ngrok-Version": "2" } })).status).toBe(200);
    const res = await call("GET", "/bot_users", { key: owner.key.token, headers: { "Ngrok-Version": "3" } });
    expect(res.body).toMatchObject({ error_code: "ERR_BOTDESK_101", status_code: 400 });
  });

  it("uses the proxy's request id as operation_id", async () => {
    const res = await call("GET", "/bot_users", { headers: { [REQUEST_ID_HEADER]: "req-123" } });
    expect(res.body.details.operation_id).toBe("req-123");
  });

  it("records reads as nothing but the key's last use", async () => {
    const { owner } = await apiAccount();
    const before = await db().event.count();
    expect((await call("GET", "/bot_users", { key: owner.key.token })).status).toBe(200);
    expect(await db().event.count()).toBe(before);
    expect(await db().credential.findUnique({ where: { id: owner.key.id } })).toMatchObject({ lastUsedAt: expect.any(Date) });
  });

  it("answers unknown routes under /api/v1 with a JSON 404", async () => {
    for (const path of ["/nope", "/bot_users/x/y", "/no_such_resources"]) {
      const res = await call("GET", path);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ error_code: "ERR_BOTDESK_404", status_code: 404 });
    }
    expect((await call("POST", "/nope")).status).toBe(404);
  });

  it("answers a method a route does not serve with a JSON 405 and Allow", async () => {
    const res = await call("PUT", "/bot_users/bot_0000000000000000000000");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, PATCH, DELETE");
    expect(res.body).toMatchObject({ error_code: "ERR_BOTDESK_405", status_code: 405 });
    expect((await call("DELETE", "/api_keys")).headers.get("allow")).toBe("GET, POST");
  });

  it("reads the owner's role afresh on every request", async () => {
    const { member, account } = await apiAccount();
    expect((await call("POST", "/bot_users", { key: member.key.token, body: { name: "promoted" } })).body.error_code).toBe("ERR_NGROK_4111");
    await db().membership.update({ where: { accountId_principalId: { accountId: account.id, principalId: member.principal.id } }, data: { role: "admin" } });
    expect((await call("POST", "/bot_users", { key: member.key.token, body: { name: "promoted" } })).status).toBe(201);
  });

  it("refuses bodies over 64 KiB before parsing them", async () => {
    const { owner } = await apiAccount();
    const res = await call("POST", "/credentials", { key: owner.key.token, rawBody: JSON.stringify({ metadata: "x".repeat(70_000) }) });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error_code: "ERR_BOTDESK_413", status_code: 413 });
  });

  it("records at most REFUSALS_RECORDED_PER_MINUTE refusals of one key a minute, refusing every attempt", async () => {
    const { owner, admin } = await apiAccount();
    await revokeCredentials(owner.actor, { ids: [admin.key.id] }, ctx);
    for (let i = 0; i < REFUSALS_RECORDED_PER_MINUTE + 3; i++) {
      expect((await call("GET", "/bot_users", { key: admin.key.token })).body.error_code).toBe("ERR_NGROK_300");
    }
    expect(await refusals(admin.key.id)).toHaveLength(REFUSALS_RECORDED_PER_MINUTE);
  });
});
