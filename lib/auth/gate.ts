import { db } from "@/lib/db/client";
import type { PrincipalKind, PrincipalStatus } from "@/lib/db/generated/enums";
import { recordEvent } from "@/lib/domain/events/record-event";
import {
  BOT_REFUSAL_MESSAGE,
  REFUSAL_MESSAGES,
  type Actor,
  type RequestContext,
  type SignInPath,
  type SignInRefusal,
} from "./types";

export type Admission<T> = { ok: true; value: T } | { ok: false; refusal: SignInRefusal };

export interface GatePrincipal {
  id: string;
  kind: PrincipalKind;
  status: PrincipalStatus;
  name: string;
  accountId: string | null;
}

export const gateSelect = { id: true, kind: true, status: true, name: true, accountId: true } as const;

export const refuse = (reason: Exclude<SignInRefusal["reason"], "rate_limited" | "bot">): Admission<never> => ({
  ok: false,
  refusal: { reason, message: REFUSAL_MESSAGES[reason] },
});

/**
 * THE chokepoint: whether a principal may use the dashboard. Every sign-in path
 * (password form, external providers, a pasted credential) and every request
 * that presents a session goes through here. A bot is always refused, and each
 * refusal is recorded as one `login.refused` event attributed to that bot.
 */
export async function admitPrincipal(
  principal: GatePrincipal,
  path: SignInPath,
  ctx: RequestContext,
  opts: { overLimit?: boolean; record?: boolean } = {},
): Promise<Admission<GatePrincipal>> {
  if (principal.kind === "bot") {
    if (principal.accountId && opts.record !== false) {
      await recordEvent(db(), {
        accountId: principal.accountId,
        type: "login.refused",
        principalId: principal.id,
        source: "dashboard",
        subject: { id: principal.id, name: principal.name },
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        data: { path, reason: "bot users cannot sign in", ...(opts.overLimit ? { overLimit: true } : {}) },
        // Someone tried to use the bot; the bot itself did nothing.
        activity: false,
      });
    }
    return { ok: false, refusal: { reason: "bot", message: BOT_REFUSAL_MESSAGE } };
  }
  if (principal.status !== "active") return refuse("deactivated");
  return { ok: true, value: principal };
}

/**
 * Sign-in through an external provider (OIDC, GitHub). The identity must already
 * be linked to a principal, or carry a verified email of an existing person (it
 * is then linked). Botdesk never creates people on first sign-in: admins add them.
 */
export async function admitExternalIdentity(
  input: { provider: "oidc" | "github"; subject: string; email?: string | null; emailVerified: boolean },
  ctx: RequestContext,
): Promise<Admission<{ id: string }>> {
  const linked = await db().externalIdentity.findUnique({
    where: { provider_subject: { provider: input.provider, subject: input.subject } },
    select: { principal: { select: gateSelect } },
  });
  let principal: GatePrincipal | null = linked?.principal ?? null;
  if (!principal && input.email && input.emailVerified) {
    principal = await db().principal.findFirst({
      where: { kind: "person", email: input.email.trim().toLowerCase() },
      select: gateSelect,
    });
    if (principal) {
      await db().externalIdentity.create({
        data: { provider: input.provider, subject: input.subject, principalId: principal.id },
      });
    }
  }
  if (!principal) return refuse("no_account");
  const admitted = await admitPrincipal(principal, input.provider, ctx);
  if (!admitted.ok) return admitted;
  if (!(await hasActiveMembership(principal.id))) return refuse("no_account");
  await db().principal.update({ where: { id: principal.id }, data: { lastSignInAt: new Date() } });
  return { ok: true, value: { id: principal.id } };
}

/**
 * The principal behind a presented session, re-read from the database on every
 * request: a person deactivated or removed from the account loses access on
 * their next request, a session whose subject is (or became) a bot is refused,
 * and a session issued under an older session version (before a sign-out,
 * password change, deactivation or removal) has ended.
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
        where: { status: "active" },
        orderBy: { createdAt: "asc" },
        select: { role: true, account: { select: { id: true, name: true, seatLimit: true } } },
      },
    },
  });
  if (!principal) return refuse("invalid");
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

async function hasActiveMembership(principalId: string): Promise<boolean> {
  return (await db().membership.count({ where: { principalId, status: "active" } })) > 0;
}

// Password sign-in lives in its own file (rate limits, bot identification); callers keep one import.
export { signInWithPassword } from "./sign-in";
