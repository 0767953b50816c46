import { Secret, TOTP } from "otpauth";
import { describe, expect, it } from "vitest";
import { normalizeRecoveryCode, newRecoveryCodes } from "./recovery-codes";
import { openSecret, recoveryCodeHash, sealSecret } from "./secret-box";
import { matchTotp, newTotpSecret, otpauthUri, timeStep, TOTP_PARAMS } from "./totp";

// Codes are computed here with the library's own generator, at chosen times, as an app would.
const codeAt = (base32: string, at: number) => TOTP.generate({ secret: Secret.fromBase32(base32), ...TOTP_PARAMS, timestamp: at });
// A moment in the middle of a 30-second step, so ±30 s lands in the neighbouring steps.
const T = Date.UTC(2026, 11, 7, 12, 0, 15);

describe("TOTP (RFC 6238: SHA-1, 6 digits, 30 s)", () => {
  it("matches RFC 6238's own SHA-1 test vector (the library and our parameters are the standard's)", () => {
    // RFC 6238 appendix B: the ASCII secret "12345678901234567890", T = 59 s → 94287082 (8 digits); 6 digits: 287082.
    const base32 = Secret.fromLatin1("12345678901234567890").base32;
    expect(matchTotp(base32, "287082", 59_000)).toBe(1);
    expect(matchTotp(base32, "287083", 59_000)).toBeNull();
  });

  it("accepts the current code and gives its time step", () => {
    const secret = newTotpSecret();
    expect(matchTotp(secret, codeAt(secret, T), T)).toBe(timeStep(T));
    expect(matchTotp(secret, ` ${codeAt(secret, T).slice(0, 3)} ${codeAt(secret, T).slice(3)} `, T)).toBe(timeStep(T));
  });

  it("accepts one step of clock skew either way, and no more", () => {
    const secret = newTotpSecret();
    expect(matchTotp(secret, codeAt(secret, T - 30_000), T)).toBe(timeStep(T) - 1);
    expect(matchTotp(secret, codeAt(secret, T + 30_000), T)).toBe(timeStep(T) + 1);
    for (const off of [-90_000, -60_000, 60_000, 90_000]) {
      const code = codeAt(secret, T + off);
      // A code of a step 2 away could equal a nearby step's by chance (1 in a million): only assert when it differs.
      if ([-30_000, 0, 30_000].every((near) => codeAt(secret, T + near) !== code)) expect(matchTotp(secret, code, T), `offset ${off}`).toBeNull();
    }
  });

  it("refuses another secret's code, and what is not six digits", () => {
    const secret = newTotpSecret();
    const other = newTotpSecret();
    const code = codeAt(other, T);
    if (code !== codeAt(secret, T) && code !== codeAt(secret, T - 30_000) && code !== codeAt(secret, T + 30_000)) expect(matchTotp(secret, code, T)).toBeNull();
    for (const junk of ["", "12345", "1234567", "abcdef", "12345a", "１２３４５６"]) expect(matchTotp(secret, junk, T)).toBeNull();
  });

  it("makes 160-bit base32 secrets and an otpauth URI apps read (issuer, label, parameters)", () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = new URL(otpauthUri(secret, "ada@example.com"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/Botdesk:ada@example.com");
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret, issuer: "Botdesk", algorithm: "SHA1", digits: "6", period: "30" });
  });
});

describe("the secret box (AES-256-GCM, HKDF from AUTH_SECRET)", () => {
  const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
  it("round-trips, and stores nothing readable", () => {
    const sealed = sealSecret(secret, "usr_a", "auth-secret-one-0123456789abcdef");
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(secret);
    expect(sealSecret(secret, "usr_a", "auth-secret-one-0123456789abcdef")).not.toBe(sealed); // a fresh IV each time
    expect(openSecret(sealed, "usr_a", "auth-secret-one-0123456789abcdef")).toBe(secret);
  });
  it("does not open for another person's row, another AUTH_SECRET, or a changed byte", () => {
    const sealed = sealSecret(secret, "usr_a", "auth-secret-one-0123456789abcdef");
    expect(openSecret(sealed, "usr_b", "auth-secret-one-0123456789abcdef")).toBeNull();
    expect(openSecret(sealed, "usr_a", "auth-secret-two-0123456789abcdef")).toBeNull();
    const bytes = Buffer.from(sealed.slice(3), "base64url");
    bytes[20] = bytes[20]! ^ 1;
    expect(openSecret(`v1.${bytes.toString("base64url")}`, "usr_a", "auth-secret-one-0123456789abcdef")).toBeNull();
    expect(openSecret("garbage", "usr_a", "auth-secret-one-0123456789abcdef")).toBeNull();
  });
});

describe("recovery codes", () => {
  it("are ten distinct 60-bit codes, read back whatever the case, spaces or dashes, hashed per person and key", () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    const n = normalizeRecoveryCode(codes[0]!)!;
    expect(normalizeRecoveryCode(` ${codes[0]!.toUpperCase().replaceAll("-", " ")} `)).toBe(n);
    expect(normalizeRecoveryCode("123456")).toBeNull();
    expect(normalizeRecoveryCode("uuuu-uuuu-uuuu")).toBeNull();
    expect(recoveryCodeHash("usr_a", n, "k-one-0123456789abcdef0123456789")).toBe(recoveryCodeHash("usr_a", n, "k-one-0123456789abcdef0123456789"));
    expect(recoveryCodeHash("usr_b", n, "k-one-0123456789abcdef0123456789")).not.toBe(recoveryCodeHash("usr_a", n, "k-one-0123456789abcdef0123456789"));
    expect(recoveryCodeHash("usr_a", n, "k-two-0123456789abcdef0123456789")).not.toBe(recoveryCodeHash("usr_a", n, "k-one-0123456789abcdef0123456789"));
  });
});
