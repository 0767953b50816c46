import { createHash, randomBytes } from "node:crypto";

/**
 * The one-time link that creates the first account on an empty database
 * (`<base URL>/setup?token=…`). No Prisma and no zod here: the launcher, which
 * never loads either, issues links too (issue-setup-token.ts).
 */

/** A link works this long after it is printed. */
export const SETUP_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Held (pg_advisory_xact_lock) by everything that creates the first account or
 * a link for it: the demo seed, issuing a link, and the setup itself, so none
 * of them sees "no account yet" while another is making one.
 */
export const FIRST_ACCOUNT_LOCK_KEY = 0x626f7464; // "botd"

/** 32 random bytes, base64url: 43 characters. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newSetupToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashSetupToken(token) };
}

/** What the database keeps: the SHA-256 of the token, hex. */
export function hashSetupToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function looksLikeSetupToken(value: unknown): value is string {
  return typeof value === "string" && TOKEN_PATTERN.test(value);
}

/** The link to print: `<base>/setup?token=…`. */
export function setupLink(base: string, token: string): string {
  return `${base.replace(/\/+$/, "")}/setup?token=${token}`;
}

/**
 * Where a link stands: `valid`, or why it cannot be used. `set_up` wins over
 * everything else: once an account exists, no link does anything.
 */
export type SetupLinkStatus = "valid" | "set_up" | "missing" | "unknown" | "used" | "replaced" | "expired";

export const SETUP_LINK_MESSAGES: Record<Exclude<SetupLinkStatus, "valid">, string> = {
  set_up: "Botdesk is already set up: its first account exists. Sign in instead.",
  missing: "This page creates the first account of a new Botdesk, with the one-time link the server printed when it started on an empty database.",
  unknown: "This setup link is not valid. Check that you copied the whole link.",
  used: "This setup link has already been used.",
  replaced: "A newer setup link replaced this one: use the newest link the server printed.",
  expired: "This setup link has expired: links work for 24 hours.",
};

/** A stored link's status (the caller has checked that no account exists). */
export function statusOfStoredToken(row: { usedAt: Date | null; replacedAt: Date | null; expiresAt: Date } | null, now = new Date()): SetupLinkStatus {
  if (!row) return "unknown";
  if (row.usedAt) return "used";
  if (row.replacedAt) return "replaced";
  if (row.expiresAt.getTime() <= now.getTime()) return "expired";
  return "valid";
}
