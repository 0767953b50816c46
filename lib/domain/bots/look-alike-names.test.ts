import { describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { newId } from "../../ids";
import { actorOf, createTestAccount } from "../../test-support/factories";
import { createBot } from "./create-bot";
import { assignLookAlikeKeys, lookAlikeReportLines } from "./look-alike-names";
import { renameBot } from "./rename-bot";
import { updateBot } from "./update-bot";

const ctx = { ip: "192.0.2.96", userAgent: "vitest" };

/** A bot as the database holds one named before the look-alike rule: no name keys but lower(name). */
async function olderBot(accountId: string, name: string, minutesAgo: number) {
  return db().principal.create({
    data: { id: newId("bot"), kind: "bot", name, nameKey: name.toLowerCase(), accountId, createdAt: new Date(Date.now() - minutesAgo * 60_000) },
  });
}

describe("bots named before the look-alike rule", () => {
  it("get their keys at start, oldest first; look-alikes and names with an @ are kept, usable and listed", async () => {
    const { account, owner } = await createTestAccount();
    const { account: other } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const scope = await createBot(admin, { name: "scope" }, ctx); // named under the rule
    if (!scope.ok) throw new Error(scope.message);
    const paypal = await olderBot(account.id, "paypal", 30);
    const cyrillic = await olderBot(account.id, "p\u0430ypal", 20);
    const capitalI = await olderBot(account.id, "paypaI", 10);
    const scopeTwin = await olderBot(account.id, "\u0455\u0441\u043E\u0440\u0435", 5);
    const withAt = await olderBot(account.id, "admin @example.com", 15);
    const elsewhere = await olderBot(other.id, "p\u0430ypal", 25); // another account: no twin of anything there

    const report = await assignLookAlikeKeys();
    const mine = (id: string) => [account.id, other.id].includes(id);
    expect(report.lookAlikes.filter((l) => mine(l.accountId)).map((l) => [l.id, l.like.id])).toEqual([
      [cyrillic.id, paypal.id],
      [capitalI.id, paypal.id],
      [scopeTwin.id, scope.data.id],
    ]);
    expect(report.withAt.filter((b) => mine(b.accountId)).map((b) => b.id)).toEqual([withAt.id]);
    const keys = async (id: string) => db().principal.findUniqueOrThrow({ where: { id }, select: { name: true, nameSkeleton: true, nameSkeletonLower: true } });
    expect(await keys(paypal.id)).toEqual({ name: "paypal", nameSkeleton: "paypal", nameSkeletonLower: "paypal" });
    expect((await keys(elsewhere.id)).nameSkeleton).toBe("paypal");
    expect((await keys(withAt.id)).nameSkeleton).not.toBeNull();
    // Kept as they were: never renamed.
    expect(await keys(cyrillic.id)).toEqual({ name: "p\u0430ypal", nameSkeleton: null, nameSkeletonLower: null });

    // The operator reads which ones, with what is invisible or foreign spelled out.
    const lines = lookAlikeReportLines(report).join("\n");
    expect(lines).toContain(`"p<U+0430>ypal" (${cyrillic.id}) looks like "paypal" (${paypal.id})`);
    expect(lines).toContain(`"admin @example.com" (${withAt.id})`);

    // A kept look-alike stays usable: its name saved as it is, deactivated, reactivated.
    expect(await renameBot(admin, { id: cyrillic.id, name: "p\u0430ypal" }, ctx)).toMatchObject({ ok: true });
    expect(await updateBot(admin, { id: cyrillic.id, active: false }, ctx)).toMatchObject({ ok: true });
    expect(await updateBot(admin, { id: cyrillic.id, active: true }, ctx)).toMatchObject({ ok: true });
    // New names are judged by the rule: no further twin, and a rename away takes keys of its own.
    expect(await createBot(admin, { name: "PAYPAl" }, ctx)).toMatchObject({ ok: false, code: "bot_name_taken" });
    expect(await createBot(admin, { name: "\u0455cope" }, ctx)).toMatchObject({ ok: false, code: "bot_name_taken" });
    expect(await renameBot(admin, { id: capitalI.id, name: "paypal-billing" }, ctx)).toMatchObject({ ok: true });
    expect((await keys(capitalI.id)).nameSkeleton).toBe("paypal-billing");

    // The next start changes nothing and lists what is left.
    const again = await assignLookAlikeKeys();
    expect(again.assigned).toBe(0);
    expect(again.lookAlikes.filter((l) => mine(l.accountId)).map((l) => l.id)).toEqual([cyrillic.id, scopeTwin.id]);
  });

  it("a look-alike whose older twin was renamed away gets the keys at the next start", async () => {
    const { account, owner } = await createTestAccount();
    const admin = actorOf(account, owner, "owner");
    const first = await olderBot(account.id, "deploy", 20);
    const twin = await olderBot(account.id, "d\u0435ploy", 10);
    expect((await assignLookAlikeKeys()).lookAlikes.map((l) => l.id)).toContain(twin.id);
    expect(await renameBot(admin, { id: first.id, name: "deploy-old" }, ctx)).toMatchObject({ ok: true });
    const report = await assignLookAlikeKeys();
    expect(report.lookAlikes.map((l) => l.id)).not.toContain(twin.id);
    expect(await db().principal.findUniqueOrThrow({ where: { id: twin.id }, select: { nameSkeleton: true } })).toEqual({ nameSkeleton: "deploy" });
    expect(await createBot(admin, { name: "deploy" }, ctx)).toMatchObject({ ok: false, code: "bot_name_taken" });
  });
});
