import type pg from "pg";
import { newId } from "../../ids";
import { FIRST_ACCOUNT_LOCK_KEY, newSetupToken, SETUP_TOKEN_TTL_MS } from "./setup-token";

/**
 * Issues a setup link's token on an EMPTY database and replaces every older
 * unused one (only the newest link works). Returns null, and changes nothing,
 * once an account exists. Takes a plain `pg` client, not Prisma: `npm start`'s
 * launcher calls it (it never loads Prisma), and so does `npm run setup-link`.
 * The token itself is returned once and stored only as its hash.
 */
export async function issueSetupToken(client: pg.ClientBase, now = new Date()): Promise<{ token: string; expiresAt: Date } | null> {
  const { token, hash } = newSetupToken();
  const expiresAt = new Date(now.getTime() + SETUP_TOKEN_TTL_MS);
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [FIRST_ACCOUNT_LOCK_KEY]);
    const { rows } = await client.query<{ any: boolean }>("SELECT EXISTS (SELECT 1 FROM accounts) AS any");
    if (rows[0]!.any) {
      await client.query("ROLLBACK");
      return null;
    }
    await client.query("UPDATE setup_tokens SET replaced_at = $1 WHERE used_at IS NULL AND replaced_at IS NULL", [now]);
    await client.query("INSERT INTO setup_tokens (id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)", [newId("setupToken", now.getTime()), hash, now, expiresAt]);
    await client.query("COMMIT");
    return { token, expiresAt };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
