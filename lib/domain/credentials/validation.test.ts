import { describe, expect, it } from "vitest";
import { sshKeygen } from "../../test-support/ssh-keys";
import { aclSchema, createCredentialSchema } from "../../validation/credentials";
import { parseSshPublicKey, PRIVATE_KEY_MESSAGE } from "./ssh-key";
import { issueSecret, parseToken, secretMatches } from "./token-format";

const messages = (r: { success: boolean; error?: { issues: { message: string }[] } }) => r.error?.issues.map((i) => i.message) ?? [];

describe("token format", () => {
  it("carries a type prefix, the credential id and a checksum, with ~190 random bits", () => {
    const id = "cr_0cR8xQ2mP4aZ9bT1uV7wYk";
    const a = issueSecret("authtoken", id);
    const b = issueSecret("authtoken", id);
    expect(a.token).toMatch(/^bdat_0cR8xQ2mP4aZ9bT1uV7wYk_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/);
    expect(a.token).not.toBe(b.token);
    // What is stored matches its own token and no other, not even one for the same id.
    expect(secretMatches(a.token, a.hash)).toBe(true);
    expect(secretMatches(b.token, a.hash)).toBe(false);
    expect(secretMatches(a.token, b.hash)).toBe(false);
    expect(parseToken(a.token)).toEqual({ kind: "authtoken", credentialId: id });
    expect(parseToken(issueSecret("api_key", "ak_0cR8xQ2mP4aZ9bT1uV7wYk").token)).toEqual({ kind: "api_key", credentialId: "ak_0cR8xQ2mP4aZ9bT1uV7wYk" });
  });

  it("rejects a mistyped token by its checksum, and anything not in the format", () => {
    const { token } = issueSecret("api_key", "ak_0cR8xQ2mP4aZ9bT1uV7wYk");
    const i = 40;
    const typo = token.slice(0, i) + (token[i] === "a" ? "b" : "a") + token.slice(i + 1);
    expect(parseToken(typo)).toBeNull();
    expect(parseToken(token.replace("bdak_", "bdat_"))).toBeNull();
    for (const junk of ["", "password123", "bdat_", `${token}x`, token.replaceAll("_", "-")]) expect(parseToken(junk)).toBeNull();
  });
});

describe("ACL rules", () => {
  it("accepts exact domains, leading wildcards, labels with a wildcard key or value, and * alone", () => {
    const ok = aclSchema.safeParse("bind:example.ngrok.io\nbind:*.example.com\nbind:*=example\nbind:env=*\nbind:team=payments");
    expect(ok).toMatchObject({ success: true, data: ["bind:example.ngrok.io", "bind:*.example.com", "bind:*=example", "bind:env=*", "bind:team=payments"] });
    expect(aclSchema.parse("*")).toEqual([]);
    expect(aclSchema.parse("")).toEqual([]);
  });

  it("names each bad rule and why", () => {
    const r = aclSchema.safeParse(["bind:example.com", "allow:x.com", "bind:localhost", "bind:*.*.example.com", "bind:*=*", "bind:a b=c"]);
    expect(messages(r)).toEqual([
      'ACL rule 2 ("allow:x.com") is not valid: a rule is "*" or starts with "bind:"',
      'ACL rule 3 ("bind:localhost") is not valid: a domain needs at least two labels, like example.com',
      'ACL rule 4 ("bind:*.*.example.com") is not valid: a wildcard may only be the first label, as in *.example.com',
      'ACL rule 5 ("bind:*=*") is not valid: a label rule may wildcard its key or its value, not both (use "*" for no restriction)',
      `ACL rule 6 ("bind:a b=c") is not valid: a label key is letters, digits, '_', '.' or '-', or *`,
    ]);
    expect(messages(aclSchema.safeParse(["*", "bind:example.com"]))).toEqual(['"*" means no restriction: use it alone']);
    expect(messages(aclSchema.safeParse(Array.from({ length: 101 }, (_, i) => `bind:h${i}.example.com`)))).toEqual(["Use at most 100 ACL rules"]);
  });
});

describe("byte limits", () => {
  it("allows a 255-byte description and 4096-byte metadata, and refuses one byte more", () => {
    const base = { kind: "api_key" };
    expect(createCredentialSchema.safeParse({ ...base, description: "é".repeat(127) + "a", metadata: "m".repeat(4096) }).success).toBe(true);
    expect(messages(createCredentialSchema.safeParse({ ...base, description: "é".repeat(128) }))).toEqual(["Use at most 255 bytes"]);
    expect(messages(createCredentialSchema.safeParse({ ...base, metadata: "m".repeat(4097) }))).toEqual(["Use at most 4096 bytes"]);
  });

  it("checks the expiry choice and date", () => {
    const past = createCredentialSchema.safeParse({ kind: "api_key", expiry: "date", expiresOn: "2001-01-01" });
    expect(messages(past)).toEqual(["Pick a date in the future"]);
    const in30 = createCredentialSchema.parse({ kind: "api_key", expiry: "30" });
    expect(Math.round((in30.expiresAt!.getTime() - Date.now()) / 86_400_000)).toBe(30);
    expect(createCredentialSchema.parse({ kind: "api_key" }).expiresAt).toBeNull();
  });
});

describe("SSH public keys", () => {
  it.each([
    ["ed25519", undefined, "ssh-ed25519"],
    ["ecdsa", 256, "ecdsa-sha2-nistp256"],
    ["ecdsa", 384, "ecdsa-sha2-nistp384"],
    ["ecdsa", 521, "ecdsa-sha2-nistp521"],
    ["rsa", 2048, "ssh-rsa"],
  ] as const)("accepts %s %s with ssh-keygen's own fingerprint", (type, bits, expected) => {
    const key = sshKeygen(type, bits);
    const parsed = parseSshPublicKey(key.publicKey);
    expect(parsed).toMatchObject({ ok: true, type: expected, fingerprint: key.fingerprint, comment: "test@botdesk" });
  });

  it("refuses RSA under 2048 bits, saying how many it has", () => {
    const key = sshKeygen("rsa", 1024);
    expect(parseSshPublicKey(key.publicKey)).toEqual({ ok: false, message: "This RSA key has 1024 bits; use at least 2048 (or an ed25519 key)." });
  });

  it("recognises a pasted private key and says so", () => {
    const key = sshKeygen("ed25519");
    expect(parseSshPublicKey(key.privateKey)).toEqual({ ok: false, message: PRIVATE_KEY_MESSAGE });
    expect(parseSshPublicKey("-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----")).toEqual({ ok: false, message: PRIVATE_KEY_MESSAGE });
  });

  it("refuses unsupported types, corrupted data and mismatched types", () => {
    const key = sshKeygen("ed25519").publicKey;
    const [, data] = key.split(" ");
    expect(parseSshPublicKey(`ssh-dss ${data}`)).toMatchObject({ ok: false, message: expect.stringMatching(/^Unsupported key type/) });
    expect(parseSshPublicKey(`ssh-ed25519 ${data!.slice(0, -8)}`)).toMatchObject({ ok: false });
    expect(parseSshPublicKey(`ssh-rsa ${data}`)).toEqual({ ok: false, message: "The key says it is ssh-rsa but its data is ssh-ed25519." });
    expect(parseSshPublicKey(`${key}\n${key}`)).toEqual({ ok: false, message: "Paste exactly one public key, on one line." });
  });
});
