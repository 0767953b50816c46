import { Secret, TOTP } from "otpauth";

/**
 * TOTP as every authenticator app speaks it (RFC 6238 with Google
 * Authenticator's defaults): SHA-1, 6 digits, 30-second steps. The library
 * (otpauth) computes and compares codes; this module adds the parts that are
 * Botdesk's: the skew window and the time step a code belongs to, which the
 * caller stores so that no code is accepted twice.
 */
export const TOTP_PARAMS = { algorithm: "SHA1", digits: 6, period: 30 } as const;

/** Codes of one step before or after the server's clock are accepted: phones and servers drift. */
export const SKEW_STEPS = 1;

/** A new random secret (160 bits, RFC 4226's recommended length), as base32 for apps and for typing. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The base32 secret in groups of four, easier to type into an app by hand. */
export function groupedSecret(base32: string): string {
  return base32.replace(/(.{4})(?=.)/g, "$1 ");
}

/** The `otpauth://totp/…` URI an authenticator app reads from the QR code. */
export function otpauthUri(base32: string, account: string, issuer = "Botdesk"): string {
  return new TOTP({ issuer, label: account, secret: Secret.fromBase32(base32), ...TOTP_PARAMS }).toString();
}

/** The time step (Unix seconds / 30) of a moment. */
export function timeStep(at: number): number {
  return TOTP.counter({ period: TOTP_PARAMS.period, timestamp: at });
}

/** Whether the input looks like a TOTP code (6 digits, spaces allowed), and the digits. */
export function totpDigits(input: string): string | null {
  const digits = input.replace(/\s+/g, "");
  return /^\d{6}$/.test(digits) ? digits : null;
}

/**
 * The time step the code belongs to, within ±SKEW_STEPS of `at`, or null when
 * it is no valid code then. Accepting it is the caller's decision: only when
 * the step is later than the last one accepted for that person (replay).
 */
export function matchTotp(base32: string, code: string, at: number = Date.now()): number | null {
  const digits = totpDigits(code);
  if (!digits) return null;
  const delta = TOTP.validate({ token: digits, secret: Secret.fromBase32(base32), ...TOTP_PARAMS, timestamp: at, window: SKEW_STEPS });
  return delta === null ? null : timeStep(at) + delta;
}
