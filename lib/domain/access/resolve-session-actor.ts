import { queryHot } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import type { PrincipalKind, PrincipalStatus, Role } from "@/lib/db/generated/enums";
import { activeMembershipSql } from "@/lib/domain/principals/active-in-account";
import { admitPrincipal } from "./admit-principal";
import { refuse } from "./refusals";
import type { PersonActor, Admission, RequestContext, SignInMethod } from "./types";

interface SessionRow {
  id: string;
  kind: string;
  status: string;
  name: string;
  account_id: string | null;
  email: string | null;
  session_version: number;
  must_change_password: boolean;
  two_factor: boolean;
  require_two_factor: boolean | null;
  role: string | null;
  membership_account_id: string | null;
  membership_account_name: string | null;
  seat_limit: number | null;
}

/**
 * The principal behind a presented session, re-read from the database on every
 * request: a person deactivated or removed from the account loses access on
 * their next request, a session whose subject is (or became) a bot is refused,
 * and a session issued under an older session version (before a sign-out,
 * password change, deactivation or removal) has ended. The accounts offered are
 * exactly those the person is active in (lib/domain/principals/active-in-account.ts).
 * A session signed in with a password (or from before sessions said how) by a
 * person without a second factor, while any of their accounts requires one,
 * must enrol first (`mustEnrolTwoFactor`); OIDC and GitHub sessions rely on
 * their provider's own second factor.
 */
export async function resolveSessionActor(
  session: { subject: string; accountId?: string | null; version?: number | null; method?: SignInMethod | null },
  ctx: RequestContext,
  opts: { record?: boolean } = {},
): Promise<Admission<PersonActor>> {
  // One round trip: the principal, with one row per account it is active in
  // (oldest membership first), or a single row with NULL membership columns.
  // Straight to pg (queryHot): it runs on every dashboard request.
  const rows = await queryHot<SessionRow>(Prisma.sql`/* prepared */
    SELECT p.id, p.kind::text AS kind, p.status::text AS status, p.name, p.account_id, p.email, p.session_version, p.must_change_password,
           EXISTS (SELECT 1 FROM two_factor t WHERE t.principal_id = p.id AND t.enabled_at IS NOT NULL) AS two_factor, a.require_two_factor,
           m.role::text AS role, a.id AS membership_account_id, a.name AS membership_account_name, a.seat_limit
    FROM principals p
    LEFT JOIN (memberships m JOIN accounts a ON a.id = m.account_id) ON ${activeMembershipSql("m", "p")}
    WHERE p.id = ${session.subject}
    ORDER BY m.created_at ASC, m.account_id ASC`);
  const first = rows[0];
  const principal = first && {
    id: first.id,
    kind: first.kind as PrincipalKind,
    status: first.status as PrincipalStatus,
    name: first.name,
    accountId: first.account_id,
    email: first.email,
    sessionVersion: first.session_version,
    memberships: rows.flatMap((r) =>
      r.membership_account_id && r.role
        ? [{ role: r.role as Role, account: { id: r.membership_account_id, name: r.membership_account_name ?? "", seatLimit: r.seat_limit ?? 0 } }]
        : [],
    ),
  };
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
      principal: { id: principal.id, name: principal.name, kind: "person", email: principal.email },
      account: membership.account,
      role: membership.role,
      accounts: principal.memberships.map((m) => ({ id: m.account.id, name: m.account.name })),
      mustChangePassword: first.must_change_password,
      mustEnrolTwoFactor: (session.method ?? "password") === "password" && !first.two_factor && rows.some((r) => r.membership_account_id && r.require_two_factor),
      source: "dashboard",
      credential: null,
    },
  };
}
