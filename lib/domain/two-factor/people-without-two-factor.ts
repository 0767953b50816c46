import { Prisma } from "@/lib/db/generated/client";
import { db } from "@/lib/db/client";
import { activeMembershipSql } from "@/lib/domain/principals/active-in-account";

/** The account's active people without a second factor (one `id` column), as a SQL subquery. */
export function peopleWithoutTwoFactorSql(accountId: string): Prisma.Sql {
  return Prisma.sql`
    SELECT p.id FROM memberships m JOIN principals p ON ${activeMembershipSql("m", "p")}
    WHERE m.account_id = ${accountId}
      AND NOT EXISTS (SELECT 1 FROM two_factor t WHERE t.principal_id = p.id AND t.enabled_at IS NOT NULL)`;
}

/** For Settings → Account: whether the account requires two-factor sign-in, and how many active people have none. */
export async function getTwoFactorRequirement(actor: { account: { id: string } }): Promise<{ required: boolean; peopleWithout: number }> {
  const [row] = await db().$queryRaw<{ required: boolean; n: number }[]>`
    SELECT a.require_two_factor AS required, (SELECT count(*) FROM (${peopleWithoutTwoFactorSql(actor.account.id)}) w)::int AS n
    FROM accounts a WHERE a.id = ${actor.account.id}`;
  return { required: row?.required ?? false, peopleWithout: row?.n ?? 0 };
}
