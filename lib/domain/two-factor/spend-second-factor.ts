import { log } from "@/lib/server/log";
import type { Prisma } from "@/lib/db/generated/client";
import { openSecret, recoveryCodeHash } from "./secret-box";
import { normalizeRecoveryCode } from "./recovery-codes";
import { matchTotp, totpDigits } from "./totp";

type Tx = Pick<Prisma.TransactionClient, "$queryRaw" | "$executeRaw">;

export type SpentFactor = { kind: "totp" } | { kind: "recovery"; remaining: number };
/** wrong: no valid code now; replayed: a TOTP code whose time step was already used; unreadable: the secret does not decrypt (AUTH_SECRET changed). */
export type SpendRefusal = "wrong" | "replayed" | "unreadable" | "not_enrolled";

/**
 * THE check of a second factor, for sign-in and for the changes that ask for a
 * current code (turning it off, new recovery codes): a 6-digit TOTP code or a
 * recovery code, spent in the caller's transaction so that it works once.
 *
 * - A TOTP code within the skew window is accepted only when its time step is
 *   later than the last accepted one, by ONE conditional UPDATE of that step:
 *   two requests with the same code (or with codes of older steps) cannot both
 *   succeed: the second waits for the first's row lock, then matches nothing.
 * - A recovery code is spent by ONE conditional UPDATE (`used_at IS NULL`) of
 *   its keyed hash's row: two uses of one code at once, one wins.
 * Nothing is written when the code is refused.
 */
export async function spendSecondFactor(
  tx: Tx,
  principalId: string,
  code: string,
  at: number = Date.now(),
): Promise<{ ok: true; factor: SpentFactor } | { ok: false; reason: SpendRefusal }> {
  const [row] = await tx.$queryRaw<{ secret: string | null }[]>`
    SELECT secret FROM two_factor WHERE principal_id = ${principalId} AND enabled_at IS NOT NULL`;
  if (!row?.secret) return { ok: false, reason: "not_enrolled" };

  if (totpDigits(code)) {
    const secret = openSecret(row.secret, principalId);
    if (!secret) {
      log.error("two-factor", `the TOTP secret of ${principalId} does not decrypt: was AUTH_SECRET changed? (docs/two-factor.md)`);
      return { ok: false, reason: "unreadable" };
    }
    const step = matchTotp(secret, code, at);
    if (step === null) return { ok: false, reason: "wrong" };
    const advanced = await tx.$executeRaw`
      UPDATE two_factor SET last_step = ${step}
      WHERE principal_id = ${principalId} AND enabled_at IS NOT NULL AND (last_step IS NULL OR last_step < ${step})`;
    return advanced === 1 ? { ok: true, factor: { kind: "totp" } } : { ok: false, reason: "replayed" };
  }

  const normalized = normalizeRecoveryCode(code);
  if (!normalized) return { ok: false, reason: "wrong" };
  const [spent] = await tx.$queryRaw<{ remaining: number }[]>`
    WITH spent AS (
      UPDATE recovery_codes SET used_at = now()
      WHERE principal_id = ${principalId} AND code_hash = ${recoveryCodeHash(principalId, normalized)} AND used_at IS NULL
      RETURNING code_hash)
    SELECT (SELECT count(*) FROM recovery_codes r WHERE r.principal_id = ${principalId} AND r.used_at IS NULL
              AND r.code_hash NOT IN (SELECT code_hash FROM spent))::int AS remaining
    WHERE EXISTS (SELECT 1 FROM spent)`;
  return spent ? { ok: true, factor: { kind: "recovery", remaining: spent.remaining } } : { ok: false, reason: "wrong" };
}
