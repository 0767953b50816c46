import type { RequestContext } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { recordEvent } from "@/lib/domain/events/record-event";
import { hashPassword } from "@/lib/domain/people/password";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { newId } from "@/lib/ids";
import { createFirstAccountSchema } from "@/lib/validation/setup";
import { setupLinkStatus } from "./setup-link-status";
import { FIRST_ACCOUNT_LOCK_KEY, hashSetupToken, SETUP_LINK_MESSAGES, statusOfStoredToken, type SetupLinkStatus } from "./setup-token";

/** A new install's account: the team plan's quotas, 5 seats (the owner changes both in Settings). */
const PLAN = "team";
const SEAT_LIMIT = 5;

const refused = (status: Exclude<SetupLinkStatus, "valid">) => fail(status === "set_up" ? "already_set_up" : `link_${status}`, SETUP_LINK_MESSAGES[status]);

/**
 * Creates the first account of an empty database and its owner, with a valid
 * setup link (`/setup?token=…`): the only way in on a production database,
 * where no demo is seeded. Input: `{ token, accountName, name, email,
 * password, confirmPassword }`, the password under the same rules as every
 * other. Anyone may call it; it does something at most once per database:
 * under the first-account lock it checks again that no account exists and
 * that the token is still unused, unreplaced and unexpired, then creates the
 * account, the person, the owner's membership, marks the token used and
 * records `account.created` and `person.added` (by the new owner), all in one
 * transaction. Two setups at once, with one link or two: exactly one account.
 */
export async function createFirstAccount(
  input: unknown,
  ctx: RequestContext,
): Promise<Result<{ accountId: string; accountName: string; ownerId: string; email: string }>> {
  const token = typeof input === "object" && input !== null ? (input as { token?: unknown }).token : undefined;
  // The link first, and cheaply: a bad link is told so before any field is read or any password hashed.
  const status = await setupLinkStatus(token);
  if (status !== "valid") return refused(status);
  const parsed = createFirstAccountSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  const { accountName, name, email, password } = parsed.data;
  const passwordHash = await hashPassword(password);
  const tokenHash = hashSetupToken(token as string);

  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ACCOUNT_LOCK_KEY})`;
    if ((await tx.account.count({ take: 1 })) > 0) return refused("set_up");
    const [row] = await tx.$queryRaw<{ id: string; used_at: Date | null; replaced_at: Date | null; expires_at: Date }[]>`
      SELECT id, used_at, replaced_at, expires_at FROM setup_tokens WHERE token_hash = ${tokenHash} FOR UPDATE`;
    const now = new Date();
    const current = statusOfStoredToken(row ? { usedAt: row.used_at, replacedAt: row.replaced_at, expiresAt: row.expires_at } : null, now);
    if (current !== "valid") return refused(current);

    const accountId = newId("account", now.getTime());
    const ownerId = newId("person", now.getTime());
    await tx.account.create({ data: { id: accountId, name: accountName, plan: PLAN, seatLimit: SEAT_LIMIT, createdAt: now } });
    // No principal can exist before the first account (people are added to accounts), so the email is free.
    await tx.principal.create({ data: { id: ownerId, kind: "person", name, email, passwordHash, createdAt: now } });
    await tx.membership.create({ data: { accountId, principalId: ownerId, role: "owner", createdAt: now } });
    await tx.setupToken.update({ where: { id: row!.id }, data: { usedAt: now } });
    const envelope = { accountId, principalId: ownerId, source: "dashboard" as const, ip: ctx.ip, userAgent: ctx.userAgent, createdAt: now };
    await recordEvent(tx, {
      ...envelope,
      type: "account.created",
      subject: { id: accountId, name: accountName },
      data: { after: { name: accountName, plan: PLAN, seatLimit: SEAT_LIMIT }, via: "setup_link" },
    });
    await recordEvent(tx, {
      ...envelope,
      type: "person.added",
      subject: { id: ownerId, name },
      data: { after: { email, role: "owner" }, newUser: true },
    });
    return ok({ accountId, accountName, ownerId, email });
  });
}
