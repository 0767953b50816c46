import { describe, expect, it } from "vitest";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "../../test-support/factories";
import { listCredentialsQuerySchema } from "../../validation/credentials";
import { createBot } from "../bots/create-bot";
import { createCredential } from "../credentials/create-credential";
import { listCredentials, listOwnedCredentials } from "../credentials/list-credentials";
import { verifyCredential } from "../credentials/verify-credential";
import { NOT_ADMIN_CREDENTIAL_LIST } from "../permissions";
import { listRecentEvents } from "./list-recent-events";
import { listEvents } from "./list-events";
import { eventsQuerySchema } from "../../validation/events";

// Reads that depend on a role decide in the domain, like writes: a page or an
// API route that forgets to check gets the same answer as one that does.
const adminIp = { ip: "198.51.100.10", userAgent: "vitest" };
const memberIp = { ip: "198.51.100.20", userAgent: "vitest" };

async function setup() {
  const { account, owner } = await createTestAccount();
  const admin = actorOf(account, owner, "owner");
  const member = actorOf(account, await createTestPerson(account.id, "member"), "member");
  const colleague = actorOf(account, await createTestPerson(account.id, "member"), "member");
  return { account, admin, member, colleague };
}

describe("who may read what", () => {
  it("every credential of the account: admins yes, members refused by listCredentials itself", async () => {
    const { admin, member } = await setup();
    await createCredential(member, { kind: "api_key" }, memberIp);
    const query = listCredentialsQuerySchema.parse({});
    expect(await listCredentials(member, query)).toEqual({ ok: false, code: "not_admin", message: NOT_ADMIN_CREDENTIAL_LIST });
    expect(await listCredentials(admin, query)).toMatchObject({ ok: true, data: { total: 1 } });
  });

  it("one owner's credentials: members see their own and bots', never a colleague's; last-used IPs only their own", async () => {
    const { account, admin, member, colleague } = await setup();
    const bot = await createTestBot(account.id);
    const botKey = await createCredential(admin, { kind: "api_key", ownerId: bot.id }, adminIp);
    const own = await createCredential(member, { kind: "api_key" }, memberIp);
    await createCredential(colleague, { kind: "api_key" }, memberIp);
    if (!botKey.ok || !own.ok) throw new Error("setup");
    await verifyCredential(botKey.data.token!, { ip: "203.0.113.7" });
    await verifyCredential(own.data.token!, { ip: "203.0.113.8" });

    expect((await listOwnedCredentials(member, colleague.principal.id)).length).toBe(0);
    expect((await listOwnedCredentials(admin, colleague.principal.id)).length).toBe(1);
    expect((await listOwnedCredentials(member, bot.id)).map((c) => c.lastUsedIp)).toEqual([null]);
    expect((await listOwnedCredentials(admin, bot.id)).map((c) => c.lastUsedIp)).toEqual(["203.0.113.7"]);
    expect((await listOwnedCredentials(member, member.principal.id)).map((c) => c.lastUsedIp)).toEqual(["203.0.113.8"]);
  });

  it("recent activity: everyone sees what happened; only admins see other principals' IP addresses", async () => {
    const { admin, member } = await setup();
    await createBot(admin, { name: "by-the-admin" }, adminIp);
    await createCredential(member, { kind: "api_key" }, memberIp);
    const ips = (events: Awaited<ReturnType<typeof listRecentEvents>>) => Object.fromEntries(events.map((e) => [e.type, e.ip]));
    expect(ips(await listRecentEvents(admin))).toEqual({ "bot.created": adminIp.ip, "credential.created": memberIp.ip });
    expect(ips(await listRecentEvents(member))).toEqual({ "bot.created": null, "credential.created": memberIp.ip });
    const by = await listEvents(member, eventsQuerySchema.parse({ principal: admin.principal.id }));
    expect(by.rows.map((e) => [e.type, e.actor.name, e.ip])).toEqual([["bot.created", admin.principal.name, null]]);
  });
});
