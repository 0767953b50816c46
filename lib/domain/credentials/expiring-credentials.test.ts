import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { actorOf, createTestAccount, createTestBot } from "../../test-support/factories";
import { createCredential } from "./create-credential";
import { recordExpiringCredentials } from "./record-expiring-credentials";
import { revokeCredentials } from "./revoke-credentials";
import { rotateCredential } from "./rotate-credential";

const ctx = { ip: null, userAgent: null };
const DAY = 86_400_000;

/** Sweeps at `at` until nothing is claimed (other tests' credentials may be due too). */
async function sweep(at: Date): Promise<void> {
  while ((await recordExpiringCredentials(at)) > 0);
}

describe("credential.expiring", () => {
  it("is recorded 7 days and 1 day before a live credential expires, once each, as the owner by the system; never for revoked or rotated-away ones", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const bot = await createTestBot(account.id);
    const issue = async (kind: "authtoken" | "api_key") => {
      const r = await createCredential(admin, { kind, ownerId: bot.id, expiry: "30" }, ctx);
      if (!r.ok) throw new Error(r.message);
      return r.data.credential.id;
    };
    const token = await issue("authtoken");
    const revoked = await issue("api_key");
    const rotated = await issue("authtoken");
    expect((await revokeCredentials(admin, { ids: [revoked] }, ctx)).ok).toBe(true);
    const rotation = await rotateCredential(admin, { id: rotated, grace: "1h" }, ctx);
    expect(rotation.ok).toBe(true);
    const warnings = async () =>
      (await db().event.findMany({ where: { accountId: account.id, type: "credential.expiring" }, orderBy: { id: "asc" } })).map((e) => ({
        subject: e.subjectId,
        by: e.principalId,
        source: e.source,
        daysLeft: (e.data as { daysLeft: number }).daysLeft,
      }));
    // The rotated-away credential now expires within the hour (its grace period): no warning for it.
    await sweep(new Date());
    const expiresAt = (await db().credential.findUniqueOrThrow({ where: { id: token } })).expiresAt!.getTime();
    await sweep(new Date(expiresAt - 10 * DAY));
    expect(await warnings()).toEqual([]);
    await sweep(new Date(expiresAt - 6.5 * DAY));
    await sweep(new Date(expiresAt - 6 * DAY));
    // The rotation's new credential keeps the old one's expiry: it is warned like any other.
    const newId = rotation.ok ? rotation.data.credential.id : "";
    expect((await warnings()).filter((w) => w.subject !== newId)).toEqual([{ subject: token, by: bot.id, source: "system", daysLeft: 7 }]);
    await sweep(new Date(expiresAt - 0.5 * DAY));
    await sweep(new Date(expiresAt - 0.25 * DAY));
    const all = await warnings();
    expect(all.filter((w) => w.subject === token).map((w) => w.daysLeft)).toEqual([7, 1]);
    expect(all.some((w) => w.subject === revoked || w.subject === rotated)).toBe(false);
  });
});
