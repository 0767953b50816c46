import { db } from "@/lib/db/client";
import { activeMembershipWhere } from "@/lib/domain/principals/active-in-account";
import { admitPrincipal, gateSelect } from "./admit-principal";
import { refuse } from "./refusals";
import type { Actor, Admission, RequestContext } from "./types";

/**
 * The principal behind a presented session, re-read from the database on every
 * request: a person deactivated or removed from the account loses access on
 * their next request, a session whose subject is (or became) a bot is refused,
 * and a session issued under an older session version (before a sign-out,
 * password change, deactivation or removal) has ended. The accounts offered are
 * exactly those the person is active in (lib/domain/principals/active-in-account.ts).
 */
export async function resolveSessionActor(
  session: { subject: string; accountId?: string | null; version?: number | null },
  ctx: RequestContext,
  opts: { record?: boolean } = {},
): Promise<Admission<Actor>> {
  const principal = await db().principal.findUnique({
    where: { id: session.subject },
    select: {
      ...gateSelect,
      email: true,
      sessionVersion: true,
      memberships: {
        where: activeMembershipWhere(),
        orderBy: { createdAt: "asc" },
        select: { role: true, account: { select: { id: true, name: true, seatLimit: true } } },
      },
    },
  });
  if (!principal) return refuse("invalid");
  // Refuses bots (recorded) and people deactivated everywhere ("deactivated",
  // which the membership rule alone would only call "no_account").
  const admitted = await admitPrincipal(principal, "session", ctx, opts);
  if (!admitted.ok) return admitted;
  // Sessions issued before versions existed carry none: they count as version 0.
  if ((session.version ?? 0) !== principal.sessionVersion) return refuse("ended");
  const membership =
    principal.memberships.find((m) => m.account.id === session.accountId) ?? principal.memberships[0];
  if (!membership || !principal.email) return refuse("no_account");
  return {
    ok: true,
    value: {
      person: { id: principal.id, name: principal.name, email: principal.email },
      account: membership.account,
      role: membership.role,
      accounts: principal.memberships.map((m) => ({ id: m.account.id, name: m.account.name })),
    },
  };
}
