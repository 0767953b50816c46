import { describe, expect, it } from "vitest";
import { createBotSchema, listBotsQuerySchema, renameBotSchema } from "./bots";
import { listPeopleQuerySchema } from "./people-admin";
import { createCredentialSchema, credentialIdsSchema, listCredentialsQuerySchema, rotateCredentialSchema } from "./credentials";
import { addPersonSchema, personIdSchema } from "./people-admin";
import { changePasswordSchema } from "./people";
import { BIDI_MESSAGE, CONTROL_CHARACTER_MESSAGE, EMAIL_LIKE_NAME_MESSAGE, FORMAT_CHARACTER_MESSAGE, INVISIBLE_ONLY_MESSAGE, MULTILINE_CONTROL_CHARACTER_MESSAGE, normalizeName, UNASSIGNED_MESSAGE } from "./text";

const messages = (r: { success: boolean; error?: { issues: { message: string }[] } }) => r.error?.issues.map((i) => i.message) ?? [];
const name = (raw: string) => createBotSchema.safeParse({ name: raw });

describe("bot names", () => {
  it("are normalised before anything compares them: NFC, plain single spaces, no invisible characters, trimmed", () => {
    expect(name("fz\u200b")).toEqual({ success: true, data: { name: "fz" } });
    expect(name("\ufefffz\u2060")).toEqual({ success: true, data: { name: "fz" } });
    expect(name("f\u200dz")).toEqual({ success: true, data: { name: "fz" } });
    expect(name("cafe\u0301")).toEqual({ success: true, data: { name: "caf\u00e9" } });
    expect(name("deploy\u00a0 \u3000bot ")).toEqual({ success: true, data: { name: "deploy bot" } });
    // Joiners that mean something (between emoji or non-Latin letters) stay.
    expect(normalizeName("\u{1F469}\u200d\u{1F4BB}-ops")).toBe("\u{1F469}\u200d\u{1F4BB}-ops");
    expect(normalizeName("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645")).toBe("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645");
  });

  it("refuse invisible-only names, control and ANSI characters, and direction overrides, each with a clear message", () => {
    expect(messages(name("\u200b\u200b\u200b"))).toEqual([INVISIBLE_ONLY_MESSAGE]);
    expect(messages(name("\u200b"))).toEqual([INVISIBLE_ONLY_MESSAGE]);
    expect(messages(name("evil\u0000bot"))).toEqual([CONTROL_CHARACTER_MESSAGE]);
    expect(messages(name("\u001b[31mred\u001b[0m"))).toEqual([CONTROL_CHARACTER_MESSAGE]);
    expect(messages(name("two\nlines"))).toEqual([CONTROL_CHARACTER_MESSAGE]);
    expect(messages(name("c1\u0085next"))).toEqual([CONTROL_CHARACTER_MESSAGE]);
    expect(messages(name("invoice\u202Efdp.exe"))).toEqual([BIDI_MESSAGE]);
    expect(messages(name("\u2066isolated\u2069"))).toEqual([BIDI_MESSAGE]);
    expect(messages(name("   "))).toEqual(["Enter a name: it can't be empty"]);
  });

  it("refuse a lone surrogate (JSON's \\ud800) like a control character, and keep real pairs (emoji)", () => {
    expect(messages(name("\ud800\\"))).toEqual([CONTROL_CHARACTER_MESSAGE]);
    expect(messages(name("bot\udfff"))).toEqual([CONTROL_CHARACTER_MESSAGE]);
    expect(messages(name("rocket-\ud83d\ude80"))).toEqual([]);
  });

  it("refuse any @ (and its fullwidth and small forms), at create and rename: a name never passes for an email", () => {
    for (const raw of ["Admin@Example.com", "admin @example.com", "admin@example", "ops\uff20example.com", "a@b", "@deploy", "deploy @ night", "deploy\ufe6bnight"]) {
      expect(messages(name(raw))).toEqual([EMAIL_LIKE_NAME_MESSAGE]);
      expect(messages(renameBotSchema.safeParse({ id: "bot_x1", name: raw }))).toEqual([EMAIL_LIKE_NAME_MESSAGE]);
    }
    // People's names may have one.
    expect(messages(addPersonSchema.safeParse({ email: "x@example.test", name: "Ann @ Ops", role: "member" }))).toEqual([]);
  });

  it("judge the probe's invisible characters with Unicode's data: removed where they show nothing, refused where nobody can tell", () => {
    // Default_Ignorable_Code_Point: a tag, a variation selector, a Mongolian selector, a musical format character.
    for (const cp of ["\u{E0041}", "\uFE0F", "\u180B", "\u{1D17A}"]) {
      for (const raw of [`fz${cp}`, `${cp}fz`, `f${cp}z`]) expect(name(raw), JSON.stringify(raw)).toEqual({ success: true, data: { name: "fz" } });
    }
    // Not default-ignorable, but blank: read as a space.
    expect(name("fz\u2800")).toEqual({ success: true, data: { name: "fz" } });
    expect(name("\u{1D159}fz")).toEqual({ success: true, data: { name: "fz" } });
    expect(messages(name("\u2800"))).toEqual([INVISIBLE_ONLY_MESSAGE]);
    // A format character that is not default-ignorable (interlinear annotation): refused.
    for (const raw of ["fz\uFFF9", "f\uFFFBz", "\u0600fz"]) expect(messages(name(raw)), JSON.stringify(raw)).toEqual([FORMAT_CHARACTER_MESSAGE]);
    // Unassigned (a noncharacter, a code point with no character yet) and private use: refused.
    for (const raw of ["fz\uFFFF", "fz\u{10FFFF}", "fz\u0378", "fz\uE000", "fz\u{F0000}"]) expect(messages(name(raw)), JSON.stringify(raw)).toEqual([UNASSIGNED_MESSAGE]);
    // Where they mean something they stay: emoji presentation, joined emoji, a Mongolian variant.
    expect(normalizeName("\u2764\uFE0F-ops")).toBe("\u2764\uFE0F-ops");
    expect(normalizeName("\u2764\uFE0F\u200D\u{1F525}")).toBe("\u2764\uFE0F\u200D\u{1F525}");
    expect(normalizeName("\u1820\u180B")).toBe("\u1820\u180B");
    expect(normalizeName("\u65E5\u200D\u{E0041}")).toBe("\u65E5");
  });

  it("count the byte limit after normalising", () => {
    expect(name("a".repeat(255) + "\u200b")).toMatchObject({ success: true });
    expect(messages(name("é".repeat(128)))).toEqual(["Use at most 255 bytes"]);
  });
});

describe("control characters everywhere else", () => {
  it("are refused in people's names, credential fields and new passwords with a clear message", () => {
    expect(messages(addPersonSchema.safeParse({ email: "x@example.test", name: "Ann\u0000", role: "member" }))).toEqual([CONTROL_CHARACTER_MESSAGE]);
    expect(messages(createCredentialSchema.safeParse({ kind: "api_key", description: "edge\u0000" }))).toEqual([CONTROL_CHARACTER_MESSAGE]);
    expect(messages(createCredentialSchema.safeParse({ kind: "api_key", description: "edge\u202E" }))).toEqual([BIDI_MESSAGE]);
    expect(messages(createCredentialSchema.safeParse({ kind: "api_key", metadata: "a\u0000" }))).toEqual([MULTILINE_CONTROL_CHARACTER_MESSAGE]);
    expect(createCredentialSchema.safeParse({ kind: "api_key", metadata: "line one\n\tline two\r\n" }).success).toBe(true);
    expect(messages(createCredentialSchema.safeParse({ kind: "ssh_key", publicKey: "ssh-ed25519 AAAA comment\u0000" }))).toEqual([MULTILINE_CONTROL_CHARACTER_MESSAGE]);
    expect(messages(createCredentialSchema.safeParse({ kind: "authtoken", acl: "bind:a\u0000.example.com" }))).toEqual([
      'ACL rule 1 ("bind:a\uFFFD.example.com") is not valid: it contains a control character',
    ]);
    const password = { currentPassword: "old password!", newPassword: "new\u0000password!", confirmPassword: "new\u0000password!" };
    expect(messages(changePasswordSchema.safeParse(password))).toEqual([CONTROL_CHARACTER_MESSAGE]);
  });

  it("make ids invalid before they reach the database", () => {
    expect(credentialIdsSchema.safeParse({ ids: ["cr_abc\u0000"] }).success).toBe(false);
    expect(rotateCredentialSchema.safeParse({ id: "\u0000" }).success).toBe(false);
    expect(personIdSchema.safeParse({ personId: "usr_x\u0000" }).success).toBe(false);
    expect(createCredentialSchema.safeParse({ kind: "api_key", ownerId: "bot_\u0000" }).success).toBe(false);
    expect(createCredentialSchema.safeParse({ kind: "api_key", ownerId: "" }).success).toBe(true);
    expect(credentialIdsSchema.safeParse({ ids: ["cr_0cR8xQ2mP4aZ9bT1uV7wYk"] }).success).toBe(true);
  });

  it("make a URL filter fall back to no filter instead of failing the page", () => {
    expect(listBotsQuerySchema.parse({ q: "\u0000" }).q).toBe("");
    expect(listPeopleQuerySchema.parse({ q: "a\u0000" }).q).toBe("");
    expect(listCredentialsQuerySchema.parse({ owner: "\u0000" }).owner).toBe("");
    expect(listBotsQuerySchema.parse({ q: "deploy" }).q).toBe("deploy");
  });
});
