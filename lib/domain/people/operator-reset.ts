import type { Db } from "@/lib/db/client";
import { recordEvent } from "@/lib/domain/events/record-event";
import { clearSecondFactor } from "@/lib/domain/two-factor/clear-second-factor";
import { endSessions } from "./end-sessions";
import { hashPassword, oneTimePassword } from "./password";

export type OperatorResetResult =
  | { ok: true; name: string; email: string; oneTimePassword: string | null; twoFactorCleared: boolean; accounts: string[] }
  | { ok: false; message: string };

/**
 * The operator's way back in when nobody in the dashboard can help (the only
 * owner lost their password or second factor): `npm run reset-owner`. For a
 * person who owns an account: a one-time password (unless `keepPassword`),
 * which they must change at their next sign-in (`mustChangePassword`, as after
 * an admin's reset), and their second factor cleared (unless
 * `keepTwoFactor`); every session of theirs ends. Records
 * `person.operator_reset` (source `system`, never the password) in every
 * account they belong to, all in one transaction under their row lock.
 */
export async function operatorReset(
  prisma: Db,
  input: { email: string; keepPassword: boolean; keepTwoFactor: boolean },
): Promise<OperatorResetResult> {
  if (input.keepPassword && input.keepTwoFactor) return { ok: false, message: "Nothing to do: --keep-password and --keep-two-factor together leave everything as it is." };
  const email = input.email.trim().toLowerCase();
  const password = input.keepPassword ? null : oneTimePassword();
  const passwordHash = password ? await hashPassword(password) : null;
  return prisma.$transaction(async (tx) => {
    const [person] = await tx.$queryRaw<{ id: string; name: string; email: string }[]>`
      SELECT id, name, email FROM principals WHERE kind = 'person' AND email = ${email} FOR UPDATE`;
    if (!person) return { ok: false, message: `Nobody signs in as ${email}.` };
    const memberships = await tx.$queryRaw<{ account_id: string; name: string; role: string }[]>`
      SELECT m.account_id, a.name, m.role::text AS role FROM memberships m JOIN accounts a ON a.id = m.account_id
      WHERE m.principal_id = ${person.id} ORDER BY m.created_at, m.account_id`;
    const owned = memberships.filter((m) => m.role === "owner");
    if (owned.length === 0) {
      return { ok: false, message: `${email} owns no account. An owner or admin of their account can reset them in the dashboard (Users).` };
    }
    if (passwordHash) await tx.principal.update({ where: { id: person.id }, data: { passwordHash, mustChangePassword: true } });
    const twoFactorCleared = input.keepTwoFactor ? false : await clearSecondFactor(tx, person.id);
    await endSessions(tx, person.id);
    for (const m of memberships) {
      await recordEvent(tx, {
        accountId: m.account_id,
        type: "person.operator_reset",
        principalId: person.id,
        source: "system",
        subject: { id: person.id, name: person.name },
        data: { passwordReset: password !== null, twoFactorCleared, sessionsEnded: true, mustChangePassword: password !== null },
        activity: false,
      });
    }
    return { ok: true, name: person.name, email: person.email, oneTimePassword: password, twoFactorCleared, accounts: owned.map((m) => m.name) };
  });
}
