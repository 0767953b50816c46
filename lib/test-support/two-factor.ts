import { Secret, TOTP } from "otpauth";
import type { actorOf } from "./factories";
import { beginTwoFactorEnrolment } from "../domain/two-factor/begin-enrolment";
import { confirmTwoFactorEnrolment } from "../domain/two-factor/confirm-enrolment";
import { TOTP_PARAMS } from "../domain/two-factor/totp";

/** For tests: the code an authenticator app shows for this secret at this moment (the library's own generator). */
export const codeAt = (base32: string, at = Date.now()) => TOTP.generate({ secret: Secret.fromBase32(base32), ...TOTP_PARAMS, timestamp: at });

/**
 * For tests: enrols the person through the real domain functions, as the Settings page does,
 * with a code of the step BEFORE now (within the skew window), so codes of now and later still work.
 */
export async function enrolForTest(actor: ReturnType<typeof actorOf>) {
  const begun = await beginTwoFactorEnrolment(actor);
  if (!begun.ok) throw new Error(begun.message);
  const secret = begun.data.secret.replaceAll(" ", "");
  const confirmed = await confirmTwoFactorEnrolment(actor, { code: codeAt(secret, Date.now() - 30_000) }, { ip: "198.51.100.1", userAgent: "vitest" });
  if (!confirmed.ok) throw new Error(confirmed.message);
  return { secret, recoveryCodes: confirmed.data.recoveryCodes, sessionVersion: confirmed.data.sessionVersion, uri: begun.data.uri };
}
