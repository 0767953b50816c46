import { db } from "@/lib/db/client";
import { activeMembershipSql } from "@/lib/domain/principals/active-in-account";

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
  /** The accounts (names) of the person that require two-factor sign-in. */
  requiredBy: string[];
}

/** The names of the person's active accounts that require two-factor sign-in. */
export async function accountsRequiringTwoFactor(personId: string): Promise<string[]> {
  const rows = await db().$queryRaw<{ name: string }[]>`
    SELECT a.name FROM memberships m JOIN principals p ON ${activeMembershipSql("m", "p")} JOIN accounts a ON a.id = m.account_id
    WHERE p.id = ${personId} AND a.require_two_factor ORDER BY a.name`;
  return rows.map((r) => r.name);
}

/** The person's own second factor, for their Settings: never the secret or a code. */
export async function getTwoFactorStatus(personId: string): Promise<TwoFactorStatus> {
  const [row] = await db().$queryRaw<{ enabled_at: Date | null; left: number }[]>`
    SELECT t.enabled_at, (SELECT count(*) FROM recovery_codes r WHERE r.principal_id = ${personId} AND r.used_at IS NULL)::int AS left
    FROM (SELECT 1) one LEFT JOIN two_factor t ON t.principal_id = ${personId} AND t.enabled_at IS NOT NULL`;
  return {
    enabled: Boolean(row?.enabled_at),
    enabledAt: row?.enabled_at ?? null,
    recoveryCodesLeft: row?.enabled_at ? (row.left ?? 0) : 0,
    requiredBy: await accountsRequiringTwoFactor(personId),
  };
}
