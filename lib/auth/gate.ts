import { db } from "@/lib/db/client";
import type { PrincipalKind, PrincipalStatus } from "@/lib/db/generated/enums";
import { recordEvent } from "@/lib/domain/events/record-event";
import { env } from "@/lib/env";
import { principalForPresentedSecret } from "./presented-secret";
import { verifyPassword } from "./password";
import { checkRateLimit, clearRateLimit, hitRateLimit } from "./rate-limit";
import {
  BOT_REFUSAL_MESSAGE,
  REFUSAL_MESSAGES,
  rateLimitedMessage,
  type Actor,
  type RequestContext,
  type SignInPath,
  type SignInRefusal,
} from "./types";

export type Admission<T> = { ok: true; value: T } | { ok: false; refusal: SignInRefusal };

interface GatePrincipal {
  id: string;
  kind: PrincipalKind;
  status: PrincipalStatus;
  name: string;
  accountId: string | null;
}

const refuse = (reason: Exclude<SignInRefusal["reason"], "rate_limited" | "bot">): Admission<never> => ({
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
): Promise<Admission<GatePrincipal>> {
  if (principal.kind === "bot") {
    if (principal.accountId) {
      await recordEvent(db(), {
        accountId: principal.accountId,
        type: "login.refused",
        principalId: principal.id,
        source: "dashboard",
        subject: { id: principal.id, name: principal.name },
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        data: { path, reason: "bot users cannot sign in" },
      });
    }
    return { ok: false, refusal: { reason: "bot", message: BOT_REFUSAL_MESSAGE } };
  }
  if (principal.status !== "active") return refuse("deactivated");
  return { ok: true, value: principal };
}

const gateSelect = { id: true, kind: true, status: true, name: true, accountId: true } as const;

/**
 * Email-and-password sign-in. Rate limited per email and per IP; a wrong email
 * and a wrong password get the same answer in about the same time.
 */
export async function signInWithPassword(
  input: { login: string; password: string },
  ctx: RequestContext,
): Promise<Admission<{ id: string; name: string; email: string }>> {
  const login = input.login.trim().toLowerCase();
  const window = env.BOTDESK_SIGNIN_WINDOW_SECONDS;
  const limitKeys = [
    { key: `signin:email:${login}`, max: env.BOTDESK_SIGNIN_MAX_PER_EMAIL },
    ...(ctx.ip ? [{ key: `signin:ip:${ctx.ip}`, max: env.BOTDESK_SIGNIN_MAX_PER_IP }] : []),
  ];
  for (const { key, max } of limitKeys) {
    const state = await checkRateLimit(key, max, window);
    if (state.limited) {
      return {
        ok: false,
        refusal: { reason: "rate_limited", retryAfterSeconds: state.retryAfterSeconds, message: rateLimitedMessage(state.retryAfterSeconds) },
      };
    }
  }
  const failed = async <T>(admission: Admission<T>): Promise<Admission<T>> => {
    for (const { key } of limitKeys) await hitRateLimit(key, window);
    return admission;
  };

  // A bot's id or name typed as the login.
  const bots = await db().principal.findMany({
    where: { kind: "bot", OR: [{ id: input.login.trim() }, { nameKey: login }] },
    select: gateSelect,
  });
  // A bot's authtoken or API key pasted as the password.
  const secretOwner = await principalForPresentedSecret(input.password);
  if (secretOwner?.kind === "bot") bots.push(secretOwner);
  if (bots.length > 0) {
    for (const bot of bots) await admitPrincipal(bot, bot === secretOwner ? "credential-as-password" : "password", ctx);
    return failed({ ok: false, refusal: { reason: "bot", message: BOT_REFUSAL_MESSAGE } });
  }

  const person = await db().principal.findFirst({
    where: { kind: "person", email: login },
    select: { ...gateSelect, email: true, passwordHash: true },
  });
  if (!(await verifyPassword(person?.passwordHash, input.password)) || !person?.email) {
    return failed(refuse("invalid"));
  }
  const admitted = await admitPrincipal(person, "password", ctx);
  if (!admitted.ok) return failed(admitted);
  if (!(await hasActiveMembership(person.id))) return failed(refuse("no_account"));

  await clearRateLimit(`signin:email:${login}`);
  await db().principal.update({ where: { id: person.id }, data: { lastSignInAt: new Date() } });
  return { ok: true, value: { id: person.id, name: person.name, email: person.email } };
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
 * their next request, and a session whose subject is (or became) a bot is refused.
 */
export async function resolveSessionActor(
  session: { subject: string; accountId?: string | null },
  ctx: RequestContext,
): Promise<Admission<Actor>> {
  const principal = await db().principal.findUnique({
    where: { id: session.subject },
    select: {
      ...gateSelect,
      email: true,
      memberships: {
        where: { status: "active" },
        orderBy: { createdAt: "asc" },
        select: { role: true, account: { select: { id: true, name: true, seatLimit: true } } },
      },
    },
  });
  if (!principal) return refuse("invalid");
  const admitted = await admitPrincipal(principal, "session", ctx);
  if (!admitted.ok) return admitted;
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
