import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { newId } from "../../ids";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "../../test-support/factories";
import { eventsQuerySchema, type EventsQuery } from "../../validation/events";
import { exportEvents } from "./export-events";
import { listEvents } from "./list-events";

const ctx = { ip: "198.51.100.9", userAgent: "vitest" };

async function read(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text, chunks };
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
}

/** Every page of the view, as a person pages through it. */
async function viewIds(actor: Parameters<typeof listEvents>[0], raw: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await listEvents(actor, eventsQuerySchema.parse({ ...raw, limit: "100", before }));
    ids.push(...page.rows.map((r) => r.id));
    if (!page.older) return ids;
    before = page.older;
  }
}

describe("export", () => {
  it("is the filtered view row for row, in batches, records events.exported, and hides others' IPs from members", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const member = actorOf(account, await createTestPerson(account.id, "member"), "member");
    const bot = await createTestBot(account.id, "=cmd|' /C calc'!A0");
    const t0 = Date.now() - 3_600_000;
    await db().event.createMany({
      data: Array.from({ length: 450 }, (_, i) => ({
        id: newId("event", t0 + i * 1000),
        accountId: account.id,
        type: i % 3 === 0 ? "credential.refused" : "agent.session_started",
        source: "agent",
        principalId: bot.id,
        botId: bot.id,
        ip: "203.0.113.5",
        data: { path: `/v1/x,"${i}"` },
        createdAt: new Date(t0 + i * 1000),
      })),
    });
    const filters = { bot: bot.id, category: "agents" };
    const query = eventsQuerySchema.parse(filters) as EventsQuery;

    const ndjson = await read(await exportEvents(admin, query, "ndjson", ctx, 100));
    const rows = ndjson.text.trim().split("\n").map((l) => JSON.parse(l) as { id: string; ip: string | null; data: { path: string } });
    expect(rows.map((r) => r.id)).toEqual(await viewIds(admin, filters));
    expect(rows).toHaveLength(300);
    expect(ndjson.chunks).toBeGreaterThanOrEqual(3);
    expect(rows[0]).toMatchObject({ ip: "203.0.113.5", actor_name: bot.name, type: "agent.session_started" });

    const csv = await read(await exportEvents(member, query, "csv", ctx, 100));
    const lines = csv.text.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^id,created_at,type,label/);
    expect(lines.slice(1).map((l) => l.slice(0, l.indexOf(",")))).toEqual(rows.map((r) => r.id));
    // A formula in a name is neutralised; quotes and commas are escaped; a member sees no bot IP.
    expect(lines[1]).toContain(`'=cmd|' /C calc'!A0`);
    expect(lines[1]).not.toContain("203.0.113.5");

    // Each export is recorded, with its format and filters, and is not part of its own output.
    const exported = await db().event.findMany({ where: { accountId: account.id, type: "events.exported" }, orderBy: { createdAt: "asc" } });
    expect(exported.map((e) => [e.principalId, (e.data as { format: string }).format])).toEqual([
      [owner.id, "ndjson"],
      [member.principal.id, "csv"],
    ]);
    expect((exported[0]!.data as { filters: object }).filters).toEqual({ bot: bot.id, category: "agents" });
    const everything = await read(await exportEvents(admin, eventsQuerySchema.parse({}), "ndjson", ctx, 1000));
    expect(everything.text.trim().split("\n").filter((l) => l.includes('"events.exported"'))).toHaveLength(2);
  });

  it("neutralises every formula start a spreadsheet reads, the fullwidth and small look-alikes too", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    // ASCII (OWASP's list), fullwidth, small form variants, super/subscript and the minus sign.
    const starts = ["=", "+", "-", "@", "\t", "\r", "\uFF1D", "\uFE66", "\uFF0B", "\uFF0D", "\uFF20", "\uFE62", "\uFE63", "\uFE6B", "\u207A", "\u207C", "\u208A", "\u208C", "\u2212"];
    const bot = await createTestBot(account.id, "formula-bot");
    const t0 = Date.now() - 60_000;
    // The user agent is whatever a client sends: a formula in it must not run in the admin's spreadsheet.
    await db().event.createMany({
      data: starts.map((c, i) => ({
        id: newId("event", t0 + i * 10),
        accountId: account.id,
        type: "credential.refused",
        source: "agent",
        principalId: bot.id,
        botId: bot.id,
        userAgent: `${c}HYPERLINK("https://evil.example","x")`,
        createdAt: new Date(t0 + i * 10),
      })),
    });
    const csv = (await read(await exportEvents(admin, eventsQuerySchema.parse({ bot: bot.id }), "csv", ctx, 100))).text;
    const agents = csv.split("\r\n").filter((l) => l.includes("HYPERLINK"));
    const cell = (c: string) => `"'${c}HYPERLINK(""https://evil.example"",""x"")"`;
    for (const c of starts) expect(csv, JSON.stringify(c)).toContain(cell(c));
    expect(agents).toHaveLength(starts.length);
    // Text that only contains one later, or starts with a look-alike that is no formula start, stays as it was.
    const plain = await createTestBot(account.id, "a=b \uFF0Eplain");
    await db().event.create({ data: { id: newId("event"), accountId: account.id, type: "credential.refused", source: "agent", principalId: plain.id, botId: plain.id, userAgent: "\uFF0E=1" } });
    const csv2 = (await read(await exportEvents(admin, eventsQuerySchema.parse({ bot: plain.id }), "csv", ctx, 100))).text;
    expect(csv2).toContain(",a=b \uFF0Eplain,");
    expect(csv2).toContain(",\uFF0E=1,");
  });
});
