import ssh2 from "ssh2";
import { describe, expect, it } from "vitest";
import { generateEd25519Key } from "./ed25519-key";

describe("generateEd25519Key", () => {
  it("never hands out a key ssh2 cannot read (ssh2's own generator does, 1 in 256), and keeps the comment", () => {
    // 4,000 keys: ssh2's generator alone gives ~16 unreadable ones among as many (none at all: p ≈ 2e-7).
    const unreadable = (pair: { private: string; public: string }) =>
      ssh2.utils.parseKey(pair.private) instanceof Error || ssh2.utils.parseKey(pair.public) instanceof Error;
    let raw = 0;
    for (let i = 0; i < 4_000; i++) {
      if (unreadable(ssh2.utils.generateKeyPairSync("ed25519"))) raw += 1;
      expect(unreadable(generateEd25519Key())).toBe(false);
    }
    expect(raw).toBeGreaterThan(0);
    expect(generateEd25519Key("botdesk host key").public).toMatch(/^ssh-ed25519 \S+ botdesk host key$/);
  });
});
