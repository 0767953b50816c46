import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { newId } from "@/lib/ids";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "@/lib/test-support/factories";
import { listPrincipalOptions, OPTIONS_MAX, searchPrincipalOptions, SEARCH_MAX } from "./principal-options";

// The activity filters' "who" options: a bounded list on the page, the rest found by name.

async function accountWithBots(n: number) {
  const { account, owner } = await createTestAccount();
  const ids = Array.from({ length: n }, () => newId("bot"));
  // Bot i was last active i minutes ago: the first ones are the most recent.
  await db().$executeRaw`
    INSERT INTO principals (id, kind, name, name_key, account_id, last_activity_at)
    SELECT id, 'bot', 'opt-bot-' || lpad(i::text, 4, '0'), 'opt-bot-' || lpad(i::text, 4, '0'), ${account.id}, now() - i * interval '1 minute'
    FROM unnest(${ids}::text[]) WITH ORDINALITY AS t(id, i)`;
  return { account, owner };
}

describe("listPrincipalOptions and searchPrincipalOptions", () => {
  it("offer at most OPTIONS_MAX people and bots, the most recently active, and find any other by name", async () => {
    const { account, owner } = await accountWithBots(400);
    for (let i = 0; i < 30; i++) await createTestPerson(account.id);
    const actor = actorOf(account, owner, "member");
    const page = await listPrincipalOptions(actor);
    expect(page.bots).toHaveLength(OPTIONS_MAX);
    expect(page.people).toHaveLength(OPTIONS_MAX);
    expect(page.more).toBe(true);
    expect(page.bots.map((b) => b.name)).toEqual(Array.from({ length: OPTIONS_MAX }, (_, i) => `opt-bot-${String(i + 1).padStart(4, "0")}`));

    // A bot far down the list, by part of its name, in any case.
    const found = await searchPrincipalOptions(actor, "BOT-0377");
    expect(found.bots.map((b) => b.name)).toEqual(["opt-bot-0377"]);
    expect(found.people).toEqual([]);
    // Many matches: SEARCH_MAX of each, and it says there are more.
    const many = await searchPrincipalOptions(actor, "opt-bot-0");
    expect(many.bots).toHaveLength(SEARCH_MAX);
    expect(many.more).toBe(true);
    // People by name too; the text is literal (a % matches only a %).
    expect((await searchPrincipalOptions(actor, "Person person-")).people.length).toBeGreaterThan(0);
    expect((await searchPrincipalOptions(actor, "%")).bots).toEqual([]);
    // Blank text: the page's list.
    expect(await searchPrincipalOptions(actor, "   ")).toEqual(page);
  });

  it("never offers another account's people or bots, and offers deleted bots as such", async () => {
    const { account, owner } = await createTestAccount();
    const gone = await createTestBot(account.id, "gone-bot");
    await db().principal.update({ where: { id: gone.id }, data: { deletedAt: new Date(), nameKey: null } });
    const other = await createTestAccount();
    await createTestBot(other.account.id, "other-accounts-bot");
    const actor = actorOf(account, owner, "admin");
    expect((await searchPrincipalOptions(actor, "other-accounts")).bots).toEqual([]);
    expect((await searchPrincipalOptions(actor, other.owner.name)).people).toEqual([]);
    expect((await searchPrincipalOptions(actor, "gone")).bots).toEqual([{ id: gone.id, name: "gone-bot", kind: "bot", deleted: true }]);
    expect((await listPrincipalOptions(actor)).more).toBe(false);
  });
});
