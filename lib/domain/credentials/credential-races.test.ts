import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestBot } from "../../test-support/factories";
import { race } from "../../test-support/races";
import { createCredential } from "./create-credential";
import { revokeCredentials } from "./revoke-credentials";
import { rotateCredential } from "./rotate-credential";
import { verifyCredential } from "./verify-credential";

// Revocation and rotation of the same credential at the same moment. Both lock
// the credential's owner, then the credential: whichever comes second sees
// what the first did (a revoked credential is not rotated; a credential
// revoked twice is revoked once).
const ctx = { ip: "192.0.2.92", userAgent: "vitest-races" };

async function setup() {
  const { account, owner } = await createTestAccount();
  const admin = actorOf(account, owner, "owner");
  const bot = await createTestBot(account.id);
  const issue = async () => {
    const r = await createCredential(admin, { kind: "authtoken", ownerId: bot.id }, ctx);
    if (!r.ok) throw new Error(r.message);
    return r.data;
  };
  return { admin, issue };
}

describe("credential changes racing each other (real PostgreSQL)", () => {
  it("revoke vs revoke of the same credential: one revokes it, the other is told it is gone, nothing fails", async () => {
    const { admin, issue } = await setup();
    const rounds = await race(40, async () => {
      const { credential, token } = await issue();
      return [0, 1].map(() => async () => ({ id: credential.id, token: token!, r: await revokeCredentials(admin, { ids: [credential.id] }, ctx) }));
    });
    for (const results of rounds) {
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
      const values = results.map((r) => (r as PromiseFulfilledResult<{ id: string; token: string; r: { ok: boolean; code?: string } }>).value);
      expect(values.map((v) => v.r.ok).sort()).toEqual([false, true]);
      expect(values.find((v) => !v.r.ok)?.r).toMatchObject({ code: "not_found" });
      expect(await db().event.count({ where: { subjectId: values[0]!.id, type: "credential.revoked" } })).toBe(1);
      expect(await verifyCredential(values[0]!.token)).toMatchObject({ ok: false, reason: "revoked" });
    }
  });

  it("rotate vs revoke of the same credential: never an error, and a rotation only of what was not yet revoked", async () => {
    const { admin, issue } = await setup();
    const rounds = await race(40, async () => {
      const { credential } = await issue();
      return [
        async () => ({ id: credential.id, r: await rotateCredential(admin, { id: credential.id, grace: "1h" }, ctx) }),
        async () => ({ id: credential.id, r: await revokeCredentials(admin, { ids: [credential.id] }, ctx) }),
      ];
    });
    for (const results of rounds) {
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
      const [rotate, revoke] = results.map((r) => (r as PromiseFulfilledResult<{ id: string; r: { ok: boolean; code?: string } }>).value);
      const id = rotate!.id;
      expect(revoke!.r.ok).toBe(true);
      const successors = await db().credential.count({ where: { rotatedFromId: id } });
      expect(successors).toBe(rotate!.r.ok ? 1 : 0);
      if (!rotate!.r.ok) expect(rotate!.r).toMatchObject({ code: "not_found" });
      expect(await db().credential.findUniqueOrThrow({ where: { id } })).toMatchObject({ revokedAt: expect.any(Date) });
    }
  });
});
