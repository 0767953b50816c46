import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestBot } from "../../test-support/factories";
import { listBotsQuerySchema } from "../../validation/bots";
import { listPeopleQuerySchema } from "../../validation/people-admin";
import { listCredentialsQuerySchema } from "../../validation/credentials";
import { BIDI_MESSAGE, CONTROL_CHARACTER_MESSAGE, EMAIL_LIKE_NAME_MESSAGE } from "../../validation/text";
import { createCredential } from "../credentials/create-credential";
import { listCredentials } from "../credentials/list-credentials";
import { listPeople } from "../people/list-people";
import { createBot } from "./create-bot";
import { listBots } from "./list-bots";
import { renameBot } from "./rename-bot";
import { updateBot } from "./update-bot";

const ctx = { ip: "192.0.2.95", userAgent: "vitest" };

async function setup() {
  const { account, owner } = await createTestAccount();
  return { account, admin: actorOf(account, owner, "owner") };
}

describe("bot names people can tell apart", () => {
  it("a name that only differs by invisible characters, spacing or composition is the same name", async () => {
    const { admin } = await setup();
    expect(await createBot(admin, { name: "fz" }, ctx)).toMatchObject({ ok: true });
    for (const lookalike of ["fz\u200b", "\u200bFZ", "f\u2060z", "fz\ufeff"]) {
      expect(await createBot(admin, { name: lookalike }, ctx)).toMatchObject({ ok: false, code: "bot_name_taken" });
    }
    expect(await createBot(admin, { name: "caf\u00e9" }, ctx)).toMatchObject({ ok: true });
    expect(await createBot(admin, { name: "cafe\u0301" }, ctx)).toMatchObject({ ok: false, code: "bot_name_taken" });
  });

  it("refuses control, ANSI and direction characters and email-like names at create and rename, changing nothing", async () => {
    const { account, admin } = await setup();
    const bot = await createTestBot(account.id, "steady");
    const cases: [string, string][] = [
      ["nul\u0000bot", CONTROL_CHARACTER_MESSAGE],
      ["\u001b[2Jwiped", CONTROL_CHARACTER_MESSAGE],
      ["gpj.\u202Eexe", BIDI_MESSAGE],
      ["Admin@Example.com", EMAIL_LIKE_NAME_MESSAGE],
    ];
    for (const [raw, message] of cases) {
      expect(await createBot(admin, { name: raw }, ctx)).toMatchObject({ ok: false, code: "invalid_input", fieldErrors: { name: message } });
      expect(await renameBot(admin, { id: bot.id, name: raw }, ctx)).toMatchObject({ ok: false, code: "invalid_input", fieldErrors: { name: message } });
    }
    expect((await db().principal.findUniqueOrThrow({ where: { id: bot.id } })).name).toBe("steady");
    expect(await db().principal.count({ where: { accountId: account.id, kind: "bot" } })).toBe(1);
  });

  it("a NUL byte in an id or a filter never reaches PostgreSQL: refused, or no filter", async () => {
    const { account, admin } = await setup();
    await createTestBot(account.id, "visible");
    expect(await renameBot(admin, { id: "bot_\u0000", name: "x" }, ctx)).toMatchObject({ ok: false, code: "invalid_input" });
    expect(await createCredential(admin, { kind: "api_key", ownerId: "bot_\u0000" }, ctx)).toMatchObject({ ok: false, code: "invalid_input" });
    expect(await createCredential(admin, { kind: "api_key", description: "\u0000" }, ctx)).toMatchObject({ ok: false, code: "invalid_input" });
    const bots = await listBots(account.id, listBotsQuerySchema.parse({ q: "\u0000" }));
    expect(bots.rows.map((b) => b.name)).toEqual(["visible"]);
    expect((await listPeople(account.id, listPeopleQuerySchema.parse({ q: "\u0000" }))).total).toBe(1);
    expect(await listCredentials(admin, listCredentialsQuerySchema.parse({ owner: "\u0000" }))).toMatchObject({ ok: true });
  });
});

/** Look-alike twins of names (name → twins): Cyrillic, Greek, Armenian and Cherokee letters, fullwidth and mathematical forms, digits and capitals, dashes, ligatures. */
const TWINS: Record<string, string[]> = {
  paypal: ["p\u0430ypal", "\u0440\u0430\u0443\u0440\u0430l", "paypaI", "paypa1", "P\u0410YPAL", "\uFF50\uFF41\uFF59\uFF50\uFF41\uFF4C", "\u{1D429}\u{1D41A}\u{1D432}\u{1D429}\u{1D41A}\u{1D425}", "\u{1D561}\u{1D552}\u{1D56A}\u{1D561}\u{1D552}\u{1D55D}"],
  "deploy-bot": ["d\u0435ploy-bot", "deploy\u2010bot", "deploy\u2013bot", "deploy\u2212bot"],
  scope: ["\u0455\u0441\u043E\u0440\u0435"],
  ops: ["\u03BFps", "\u0585ps"],
  info: ["\u0406nfo"],
  acme: ["\u0391\u0421\u039C\u0395", "\u{1D41A}\u{1D41C}\u{1D426}\u{1D41E}"],
  agent: ["\u13AAgent"],
  modern: ["rnodern"],
  admin: ["\u0251dmin"],
  kube: ["\u{1D5C4}ube"],
  "ffi-bot": ["\uFB03-bot"],
  ci: ["\u03F2\u0456"],
};

describe("bot names that only look alike (Unicode's confusable skeleton)", () => {
  it("a look-alike twin is taken, at create, rename and the API's update, naming the bot it looks like; nothing changes", async () => {
    const { account, admin } = await setup();
    for (const original of Object.keys(TWINS)) expect(await createBot(admin, { name: original }, ctx), original).toMatchObject({ ok: true });
    const spare = await createBot(admin, { name: "spare" }, ctx);
    if (!spare.ok) throw new Error(spare.message);
    let twins = 0;
    for (const [original, list] of Object.entries(TWINS)) {
      for (const twin of list) {
        twins++;
        const taken = { ok: false, code: "bot_name_taken", fieldErrors: { name: expect.stringContaining(`"${original}"`) } };
        expect(await createBot(admin, { name: twin }, ctx), twin).toMatchObject(taken);
        expect(await renameBot(admin, { id: spare.data.id, name: twin }, ctx), twin).toMatchObject(taken);
        expect(await updateBot(admin, { id: spare.data.id, name: twin, active: false }, ctx), twin).toMatchObject(taken);
      }
    }
    expect(twins).toBeGreaterThanOrEqual(22);
    const bots = await db().principal.findMany({ where: { accountId: account.id, kind: "bot" }, select: { name: true, status: true } });
    expect(bots.map((b) => b.name).sort()).toEqual([...Object.keys(TWINS), "spare"].sort());
    expect(bots.every((b) => b.status === "active")).toBe(true);
  });

  it("the probe's invisible characters make no twin: each is removed or refused", async () => {
    const { account, admin } = await setup();
    expect(await createBot(admin, { name: "fz" }, ctx)).toMatchObject({ ok: true });
    for (const cp of ["\u{E0041}", "\uFE0F", "\u2800", "\u180B", "\u{1D17A}", "\uFFF9", "\uFFFF"]) {
      for (const raw of [`fz${cp}`, `${cp}fz`, `f${cp}z`]) {
        const result = await createBot(admin, { name: raw }, ctx);
        // "f z" (U+2800 read as a space) is a name of its own; everything else is fz or refused.
        if (cp === "\u2800" && raw === "f\u2800z") expect(result).toMatchObject({ ok: true, data: { name: "f z" } });
        else expect(result.ok, JSON.stringify(raw)).toBe(false);
      }
    }
    expect((await db().principal.findMany({ where: { accountId: account.id, kind: "bot" }, select: { name: true } })).map((b) => b.name).sort()).toEqual(["f z", "fz"]);
  });

  it("names that differ to the eye stay different names", async () => {
    const { admin } = await setup();
    for (const name of ["bot-i", "bot-l", "cafe", "caf\u00e9", "bot-2", "bot-3", "ni", "nl", "\u65E5\u672C", "\u{1F469}\u200D\u{1F4BB}"]) {
      expect(await createBot(admin, { name }, ctx), name).toMatchObject({ ok: true });
    }
  });

  it("a deleted bot's name and its look-alikes are free again", async () => {
    const { admin } = await setup();
    const first = await createBot(admin, { name: "paypal" }, ctx);
    if (!first.ok) throw new Error(first.message);
    const { deleteBots } = await import("./delete-bots");
    expect(await deleteBots(admin, { ids: [first.data.id] }, ctx)).toMatchObject({ ok: true });
    expect(await createBot(admin, { name: "p\u0430ypal" }, ctx)).toMatchObject({ ok: true });
  });
});

