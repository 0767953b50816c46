import { db } from "@/lib/db/client";
import { hashSetupToken, looksLikeSetupToken, statusOfStoredToken, type SetupLinkStatus } from "./setup-token";

/**
 * Where a setup link stands, for the setup page: `set_up` once any account
 * exists (whatever the token), `missing` without a token, else the stored
 * token's state. Reads only; the setup itself checks again under its lock.
 */
export async function setupLinkStatus(token: unknown): Promise<SetupLinkStatus> {
  if ((await db().account.count({ take: 1 })) > 0) return "set_up";
  if (token === undefined || token === null || token === "") return "missing";
  if (!looksLikeSetupToken(token)) return "unknown";
  const row = await db().setupToken.findUnique({
    where: { tokenHash: hashSetupToken(token) },
    select: { usedAt: true, replacedAt: true, expiresAt: true },
  });
  return statusOfStoredToken(row);
}
