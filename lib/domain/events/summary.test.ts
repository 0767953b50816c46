import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount } from "../../test-support/factories";
import { eventsQuerySchema } from "../../validation/events";
import { createBot } from "../bots/create-bot";
import { deleteBots } from "../bots/delete-bots";
import { renameBot } from "../bots/rename-bot";
import { createCredential } from "../credentials/create-credential";
import { EVENT_TYPES } from "./catalogue";
import { listEvents } from "./list-events";
import { eventSummary } from "./summary";

const ctx = { ip: "198.51.100.40", userAgent: "vitest-summary" };

describe("a feed row's summary line", () => {
  it("shows a rename as old → new, a deletion with the credentials it took, a refusal with its reason and path", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const created = await createBot(admin, { name: "billing-sync" }, ctx);
    if (!created.ok) throw new Error("setup");
    const botId = created.data.id;
    const key = await createCredential(admin, { kind: "api_key", ownerId: botId }, ctx);
    if (!key.ok) throw new Error("setup");
    await renameBot(admin, { id: botId, name: "billing-sync-2" }, ctx);
    await deleteBots(admin, { ids: [botId] }, ctx);

    const rows = (await listEvents(admin, eventsQuerySchema.parse({ bot: botId }))).rows;
    const byType = Object.fromEntries(rows.map((r) => [r.type, r.summary]));
    expect(byType["bot.renamed"]).toEqual([{ label: "name", before: "billing-sync", after: "billing-sync-2" }]);
    expect(byType["bot.deleted"]).toEqual([{ label: "credentials deleted with it (1)", value: key.data.credential.display }]);
    expect(byType["credential.created"]).toEqual([{ label: "kind", value: "api_key" }]);

    expect(eventSummary("credential.refused", { reason: "owner_deactivated", path: "/api/v1/bot_users" })).toEqual([
      { label: "reason", value: "owner_deactivated" },
      { label: "path", value: "/api/v1/bot_users" },
    ]);
    expect(eventSummary("agent.session_ended", { reason: "agent_closed", refusal: null, durationSeconds: 7260 })).toEqual([
      { label: "reason", value: "agent_closed" },
      { label: "duration", value: "2 h 1 min" },
    ]);
    expect(eventSummary("agent.endpoint_bound", { url: "https://a.example", labels: {} })).toEqual([{ label: "url", value: "https://a.example" }]);
    expect(eventSummary("bot.deactivated", { before: { active: true }, after: { active: false } })).toEqual([{ label: "active", before: "true", after: "false" }]);
    expect(eventSummary("reserved_domain.created", { after: { domain: "*.example.com", description: "", metadata: "", region: null } })).toEqual([
      { label: "domain", value: "*.example.com" },
    ]);
    expect(eventSummary("reserved_domain.updated", { domain: "a.example.com", before: { description: "" }, after: { description: "prod" } })).toEqual([
      { label: "description", before: "(none)", after: "prod" },
    ]);
    expect(eventSummary("reserved_domain.deleted", { before: { domain: "a.example.com", description: "prod" } })).toEqual([{ label: "domain", value: "a.example.com" }]);
  });

  it("marks instants as times and names credentials as tables show them (linked by id), also in older events without the display", () => {
    expect(eventSummary("credential.rotated", { from: "ak_old", to: "ak_new", fromDisplay: "bdak_…OlD0", toDisplay: "bdak_…NeW1", oldExpiresAt: "2027-01-06T00:57:35.465Z" })).toEqual([
      { label: "from", value: "bdak_…OlD0", credentialId: "ak_old" },
      { label: "to", value: "bdak_…NeW1", credentialId: "ak_new" },
      { label: "oldExpiresAt", value: "2027-01-06T00:57:35.465Z", time: true },
    ]);
    expect(eventSummary("credential.rotated", { from: "ak_old", to: "ak_new" })).toEqual([
      { label: "from", value: "ak_old", credentialId: "ak_old" },
      { label: "to", value: "ak_new", credentialId: "ak_new" },
    ]);
    expect(eventSummary("credential.created", { kind: "api_key", expiresAt: "2027-01-06T00:57:35.465Z" })[1]).toEqual({ label: "expiresAt", value: "2027-01-06T00:57:35.465Z", time: true });
    expect(eventSummary("credential.updated", { before: { expiresAt: null }, after: { expiresAt: "2027-01-06T00:57:35Z" } })).toEqual([
      { label: "expiresAt", before: "(none)", after: "2027-01-06T00:57:35Z", time: true },
    ]);
    expect(eventSummary("agent.session_started", { agentVersion: "OpenSSH_9.2p1 Debian-2+deb12u6", os: "unknown", transport: "ssh" })).toEqual([
      { label: "agentVersion", value: "OpenSSH_9.2p1 Debian-2+deb12u6" },
      { label: "transport", value: "ssh" },
    ]);
    // A name that merely looks like a date stays text.
    expect(eventSummary("bot.renamed", { before: { name: "2027-01-06" }, after: { name: "b" } })).toEqual([{ label: "name", before: "2027-01-06", after: "b" }]);
  });

  it("is short whatever the data: at most three parts, values cut at 80 characters; nothing for data it does not know", () => {
    const long = "x".repeat(500);
    const parts = eventSummary("credential.updated", { before: { description: long, metadata: "a", acl: [] }, after: { description: "d", metadata: "b", acl: ["bind:*"] }, extra: { more: 1 } });
    expect(parts).toHaveLength(3);
    expect(parts[0]).toMatchObject({ label: "description", after: "d" });
    expect((parts[0] as { before: string }).before).toHaveLength(80);
    expect(eventSummary("bot.renamed", {})).toEqual([]);
    expect(eventSummary("no.such_type", { before: "x" })).toEqual([]);
    for (const type of EVENT_TYPES) expect(() => eventSummary(type, { before: null, after: 3, credentialsDeleted: "nope" })).not.toThrow();
  });

  it("reads events recorded before a field existed (old rows) without failing", async () => {
    const { account, owner } = await createTestAccount();
    await db().event.create({ data: { id: "ev_summaryold0000000000001", accountId: account.id, type: "bot.deleted", source: "dashboard", principalId: owner.id, data: {} } });
    const [row] = (await listEvents(actorOf(account, owner, "owner"), eventsQuerySchema.parse({ type: "bot.deleted" }))).rows;
    expect(row?.summary).toEqual([{ label: "credentials deleted with it", value: "none" }]);
  });
});
