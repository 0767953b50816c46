import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openPrivateKey, sealPrivateKey, ServerKeyUnreadableError } from "./seal";

const SECRET = "seal-test-secret-0123456789abcdef0123";

describe("sealing the server's private keys", () => {
  it("opens with the same AUTH_SECRET and name, and never holds the key's bytes in the clear", () => {
    const key = randomBytes(138);
    const sealed = sealPrivateKey(SECRET, "agent-ca", key);
    expect(sealed[0]).toBe(1);
    expect(sealed.length).toBe(1 + 12 + key.length + 16);
    expect(sealed.includes(key.subarray(0, 16))).toBe(false);
    expect(openPrivateKey(SECRET, "agent-ca", sealed)).toEqual(key);
    // A fresh IV each time: the same key sealed twice gives two different byte strings.
    expect(sealPrivateKey(SECRET, "agent-ca", key).equals(sealed)).toBe(false);
  });

  it("refuses, with what to do, another AUTH_SECRET, another row's name, and damaged bytes", () => {
    const sealed = sealPrivateKey(SECRET, "agent-ca", Buffer.from("a private key"));
    const refusal = () => openPrivateKey("another-secret-0123456789abcdef0123", "agent-ca", sealed);
    expect(refusal).toThrow(ServerKeyUnreadableError);
    expect(refusal).toThrow(/cannot be decrypted with this instance's AUTH_SECRET/);
    expect(refusal).toThrow(/same AUTH_SECRET/);
    expect(refusal).toThrow(/DELETE FROM server_keys WHERE name = 'agent-ca'/);
    expect(() => openPrivateKey(SECRET, "ssh-host", sealed)).toThrow(ServerKeyUnreadableError);
    const damaged = Buffer.from(sealed);
    damaged[20]! ^= 1;
    expect(() => openPrivateKey(SECRET, "agent-ca", damaged)).toThrow(ServerKeyUnreadableError);
    expect(() => openPrivateKey(SECRET, "agent-ca", Buffer.from("-----BEGIN PRIVATE KEY-----"))).toThrow(ServerKeyUnreadableError);
    expect(() => sealPrivateKey("", "agent-ca", Buffer.from("x"))).toThrow(/AUTH_SECRET is not set/);
  });
});
