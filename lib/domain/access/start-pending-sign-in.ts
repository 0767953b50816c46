import { createHash, randomBytes } from "node:crypto";
import { db } from "@/lib/db/client";

/** How long a right password waits for its second factor. */
export const PENDING_SIGN_IN_SECONDS = 5 * 60;

/** A pending sign-in's row id: the SHA-256 of its token (the token itself is only in the browser's cookie). */
export const pendingSignInId = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

/**
 * After a right password, for a person with a second factor: a pending
 * sign-in bound to that person and to their session version (a reset,
 * deactivation or sign-out everywhere in between voids it), valid for five
 * minutes and consumed by the code that completes it (signInWithSecondFactor).
 * Returns its token: 256 random bits, stored only as a hash. It is no
 * session: nothing but the second step reads it.
 */
export async function startPendingSignIn(person: { id: string; sessionVersion: number }): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const now = Date.now();
  await db().$transaction([
    // Expired ones are of no use to anyone: swept here, where new ones are made.
    db().pendingSignIn.deleteMany({ where: { expiresAt: { lt: new Date(now) } } }),
    db().pendingSignIn.create({
      data: { id: pendingSignInId(token), principalId: person.id, sessionVersion: person.sessionVersion, expiresAt: new Date(now + PENDING_SIGN_IN_SECONDS * 1000) },
    }),
  ]);
  return token;
}
