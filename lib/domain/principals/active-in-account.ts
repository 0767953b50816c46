import { Prisma } from "@/lib/db/generated/client";

/**
 * THE rule "is this principal active in this account", in the four forms the
 * code needs, all built from the constants below so they cannot drift apart:
 *
 * - `standingIn` (a predicate on a loaded row): credential verification, the gate;
 * - `activeInAccountWhere` (a Prisma `where` on principals): credential lists and filters;
 * - `activeMemberWhere` (a Prisma `where` on memberships): seat counts, the people list;
 *   `activeMembershipWhere`, the same in any account: the sign-in gate and session check;
 * - `activeInAccountSql` / `standingSql` (raw SQL): locked reads inside transactions;
 *   `activeMembershipSql`, `activeMembershipWhere` in SQL: the per-request session check.
 *
 * A principal is active in an account when it is active itself (status
 * `active`, not deleted) AND it is part of that account: a bot belongs to it, a
 * person has a membership there whose own status is `active`. Everything else
 * is "deactivated" there (a person deactivated in the account, deactivated
 * everywhere, or removed from it; a deactivated bot), except a deleted bot,
 * which is "deleted". What a list shows as a credential's status is exactly
 * what verification enforces, because both ask this module.
 */

const ACTIVE = "active" as const;
type Kind = "person" | "bot";
type Status = "active" | "deactivated";

export type Standing = "active" | "deactivated" | "deleted";

/** What `standingIn` needs to know about a principal (select it with `standingSelect`). */
export interface StandingFacts {
  kind: Kind;
  status: Status;
  accountId: string | null;
  deletedAt: Date | null;
  /** Its memberships; only the one in the account asked about matters. */
  memberships: { accountId: string; status: Status }[];
}

/** The fields `standingIn` reads, with memberships narrowed to one account. */
export function standingSelect(accountId: string) {
  return {
    kind: true,
    status: true,
    accountId: true,
    deletedAt: true,
    memberships: { where: { accountId }, select: { accountId: true, status: true } },
  } satisfies Prisma.PrincipalSelect;
}

/** A principal's standing in an account: active, deactivated (incl. removed) or deleted. */
export function standingIn(principal: StandingFacts, accountId: string): Standing {
  if (principal.deletedAt) return "deleted";
  if (principal.status !== ACTIVE) return "deactivated";
  const partOfAccount =
    principal.kind === "bot"
      ? principal.accountId === accountId
      : principal.memberships.some((m) => m.accountId === accountId && m.status === ACTIVE);
  return partOfAccount ? "active" : "deactivated";
}

export function isActiveInAccount(principal: StandingFacts, accountId: string): boolean {
  return standingIn(principal, accountId) === "active";
}

/** Principals active in the account (people through an active membership there). */
export function activeInAccountWhere(accountId: string): Prisma.PrincipalWhereInput {
  return {
    status: ACTIVE,
    deletedAt: null,
    OR: [
      { kind: "bot", accountId },
      { kind: "person", memberships: { some: { accountId, status: ACTIVE } } },
    ],
  };
}

/**
 * Memberships, in any account, whose person is active in that account: the
 * accounts the gate lets a person sign in to and switch between.
 */
export function activeMembershipWhere(): Prisma.MembershipWhereInput {
  return { status: ACTIVE, principal: { kind: "person", status: ACTIVE, deletedAt: null } };
}

/**
 * Memberships of the account whose person is active in it: the seat holders,
 * and the people list's "active" rows. The same rule as `activeInAccountWhere`,
 * seen from the membership side.
 */
export function activeMemberWhere(accountId: string): Prisma.MembershipWhereInput {
  return { accountId, ...activeMembershipWhere() };
}

const SQL_ALIAS = /^[a-z_][a-z0-9_]*$/;

function alias(name: string): Prisma.Sql {
  if (!SQL_ALIAS.test(name)) throw new Error(`not a SQL alias: ${name}`);
  return Prisma.raw(name);
}

/** `TRUE` when the principal row aliased `p` is active in the account (a boolean SQL expression). */
export function activeInAccountSql(principalAlias: string, accountId: string): Prisma.Sql {
  const p = alias(principalAlias);
  return Prisma.sql`(${p}.status = ${ACTIVE}::"PrincipalStatus" AND ${p}.deleted_at IS NULL AND (
    (${p}.kind = 'bot'::"PrincipalKind" AND ${p}.account_id = ${accountId})
    OR (${p}.kind = 'person'::"PrincipalKind" AND EXISTS (
      SELECT 1 FROM memberships standing_m
      WHERE standing_m.principal_id = ${p}.id AND standing_m.account_id = ${accountId} AND standing_m.status = ${ACTIVE}::"PrincipalStatus"))))`;
}

/**
 * `TRUE` when the membership row aliased `m`, of the principal row aliased `p`,
 * is one whose person is active in its account: `activeMembershipWhere` in SQL.
 */
export function activeMembershipSql(membershipAlias: string, principalAlias: string): Prisma.Sql {
  const m = alias(membershipAlias);
  const p = alias(principalAlias);
  return Prisma.sql`(${m}.principal_id = ${p}.id AND ${m}.status = ${ACTIVE}::"PrincipalStatus"
    AND ${p}.kind = 'person'::"PrincipalKind" AND ${p}.status = ${ACTIVE}::"PrincipalStatus" AND ${p}.deleted_at IS NULL)`;
}

/** The principal's `Standing` in the account as a SQL text expression. */
export function standingSql(principalAlias: string, accountId: string): Prisma.Sql {
  const p = alias(principalAlias);
  return Prisma.sql`(CASE WHEN ${p}.deleted_at IS NOT NULL THEN 'deleted'
    WHEN ${activeInAccountSql(principalAlias, accountId)} THEN 'active' ELSE 'deactivated' END)`;
}
