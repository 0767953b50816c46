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
