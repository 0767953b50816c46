import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { startSession } from "@/lib/domain/agent-sessions/start-session";
import { renameBot } from "@/lib/domain/bots/rename-bot";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { changeRole } from "@/lib/domain/people/change-role";
import { setPersonActive } from "@/lib/domain/people/set-person-active";
import { fail, ok, type Result } from "@/lib/domain/result";
import { actorTransaction } from "./actor-transaction";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "@/lib/test-support/factories";
import { LockHolder, track, untilSomeoneWaits } from "@/lib/test-support/locks";

// "A write admitted just before its actor's deactivation never commits after
// it" (lib/domain/access/actor-transaction.ts), made deterministic: a second
// connection holds a row lock that one side needs, so the interleaving that
// used to let a write through is forced every time, on the real database.
// Each test would pass on the old code only by luck of timing; they were run
// against it (db().$transaction in place of actorTransaction) and failed.
const ctx = { ip: "192.0.2.95", userAgent: "vitest-standing-fence" };
const AGENT = { agent_version: "3.18.4", os: "linux", arch: "amd64" };

const locks = new LockHolder();
afterEach(() => locks.releaseAll());
const holdLock = (sql: string, params: unknown[]) => locks.hold(sql, params);

async function accountWithAdmin() {
  const { account, owner } = await createTestAccount();
  const person = await createTestPerson(account.id, "admin");
  const ownerActor = actorOf(account, owner, "owner");
  const adminActor = actorOf(account, person, "admin");
  // Stale last activity: the old code's event then also updated the admin's row, the wait that let it commit late.
  await db().principal.update({ where: { id: person.id }, data: { lastActivityAt: new Date(0) } });
  return { account, ownerActor, adminActor, person };
}

describe("a change by an actor whose standing changes while it runs (real PostgreSQL)", () => {
  it("an admin's rename held up until after their deactivation committed: it commits first and the deactivation waits, or never", async () => {
    const { account, ownerActor, adminActor, person } = await accountWithAdmin();
    const bot = await createTestBot(account.id, "fence-rename");
    // The rename is admitted (the admin is active) and then stalls on the bot's row…
    const lock = await holdLock("SELECT id FROM principals WHERE id = $1 FOR UPDATE", [bot.id]);
    const order: string[] = [];
    const rename = track("rename", renameBot(adminActor, { id: bot.id, name: "fence-renamed" }, ctx), order);
    await untilSomeoneWaits();
    // …while the owner deactivates the admin.
    const deactivate = track("deactivate", setPersonActive(ownerActor, { personId: person.id, active: false }, ctx), order);
    await Promise.race([deactivate, untilSomeoneWaits(2)]);
    await lock.release();
    const [renamed, deactivated] = await Promise.all([rename, deactivate]);
    expect(deactivated).toMatchObject({ ok: true });
    if (renamed.ok) {
      // Allowed only when the rename committed first: the deactivation waited for it.
      expect(order).toEqual(["rename", "deactivate"]);
    } else {
      expect(renamed.code).toBe("actor_deactivated");
    }
    const name = (await db().principal.findUniqueOrThrow({ where: { id: bot.id } })).name;
    expect(name).toBe(renamed.ok ? "fence-renamed" : "fence-rename");
  });

  it("a change that reaches the database while its actor is being deactivated waits for it, and is refused with nothing changed", async () => {
    const { account, ownerActor, adminActor, person } = await accountWithAdmin();
    const bot = await createTestBot(account.id, "fence-wait");
    // The deactivation takes its fence on the admin, then stalls on the account's row…
    const lock = await holdLock("SELECT id FROM accounts WHERE id = $1 FOR UPDATE", [account.id]);
    const deactivate = setPersonActive(ownerActor, { personId: person.id, active: false }, ctx);
    await untilSomeoneWaits();
    // …and the admin's rename, admitted before, arrives now.
    const rename = renameBot(adminActor, { id: bot.id, name: "fence-too-late" }, ctx);
    await untilSomeoneWaits(2);
    await lock.release();
    expect(await deactivate).toMatchObject({ ok: true });
    expect(await rename).toMatchObject({ ok: false, code: "actor_deactivated" });
    expect((await db().principal.findUniqueOrThrow({ where: { id: bot.id } })).name).toBe("fence-wait");
    expect(await db().event.count({ where: { subjectId: bot.id, type: "bot.renamed" } })).toBe(0);
  });

  it("a bot's agent session held up until after the bot's deactivation committed: it starts first, or never", async () => {
    const { account, ownerActor } = await accountWithAdmin();
    const bot = await createTestBot(account.id, "fence-agent");
    const token = await createCredential(ownerActor, { kind: "authtoken", ownerId: bot.id }, ctx);
    if (!token.ok) throw new Error(token.message);
    const agent: Actor = {
      ...ownerActor,
      principal: { id: bot.id, name: bot.name, kind: "bot" },
      role: "member",
      source: "agent",
      credential: { id: token.data.credential.id, display: token.data.credential.display },
    };
    // The session start stalls on the bot's usage row of the day…
    await db().$executeRaw`INSERT INTO usage_daily (account_id, principal_id, day, updated_at) VALUES (${account.id}, ${bot.id}, (now() AT TIME ZONE 'UTC')::date, now())`;
    const lock = await holdLock("SELECT principal_id FROM usage_daily WHERE principal_id = $1 FOR UPDATE", [bot.id]);
    const order: string[] = [];
    const started = track("start", startSession(agent, ctx, AGENT), order);
    await untilSomeoneWaits();
    // …while an admin deactivates the bot.
    const deactivate = track("deactivate", setBotsActive(ownerActor, { ids: [bot.id], active: false }, ctx), order);
    await Promise.race([deactivate, untilSomeoneWaits(2)]);
    await lock.release();
    const [session, deactivated] = await Promise.all([started, deactivate]);
    expect(deactivated).toMatchObject({ ok: true });
    const sessions = await db().tunnelSession.count({ where: { principalId: bot.id } });
    if (session.ok) {
      expect(order).toEqual(["start", "deactivate"]);
      expect(sessions).toBe(1);
    } else {
      expect(session.code).toBe("actor_deactivated");
      expect(sessions).toBe(0);
    }
  });

  it("an admin demoted while their change waits is refused as a member would be; a raised role refuses nothing", async () => {
    const { account, ownerActor, adminActor, person } = await accountWithAdmin();
    const bot = await createTestBot(account.id, "fence-role");
    const lock = await holdLock("SELECT id FROM accounts WHERE id = $1 FOR UPDATE", [account.id]);
    const demote = changeRole(ownerActor, { personId: person.id, role: "member" }, ctx);
    await untilSomeoneWaits();
    const rename = renameBot(adminActor, { id: bot.id, name: "fence-demoted" }, ctx);
    await untilSomeoneWaits(2);
    await lock.release();
    expect(await demote).toMatchObject({ ok: true });
    const refused = (await rename) as Result<unknown>;
    expect(refused).toMatchObject({ ok: false, code: "not_admin" });
    expect((await db().principal.findUniqueOrThrow({ where: { id: bot.id } })).name).toBe("fence-role");

    // Promoted back to admin and then to owner while a member-level change of theirs runs: it goes through.
    expect(await changeRole(ownerActor, { personId: person.id, role: "admin" }, ctx)).toMatchObject({ ok: true });
    expect(await changeRole(ownerActor, { personId: person.id, role: "owner" }, ctx)).toMatchObject({ ok: true });
    expect(await renameBot(adminActor, { id: bot.id, name: "fence-raised" }, ctx)).toMatchObject({ ok: true });
  });
});

describe("actorTransaction itself (real PostgreSQL)", () => {
  it("a body that answers a refusal commits nothing it wrote", async () => {
    const { account, ownerActor } = await accountWithAdmin();
    const bot = await createTestBot(account.id, "refused-body");
    const refused = await actorTransaction(ownerActor, async (tx) => {
      await tx.principal.update({ where: { id: bot.id }, data: { name: "refused-body-written" } });
      return fail("not_found", "Refused after writing.");
    });
    expect(refused).toEqual({ ok: false, code: "not_found", message: "Refused after writing." });
    expect((await db().principal.findUniqueOrThrow({ where: { id: bot.id } })).name).toBe("refused-body");
  });

  it("a deadlock between two actors' changes is recognised by its SQLSTATE (40P01) and the loser is retried: both commit", async () => {
    const { account, ownerActor, adminActor } = await accountWithAdmin();
    const [a, b] = [await createTestBot(account.id, "deadlock-a"), await createTestBot(account.id, "deadlock-b")];
    // Each locks one bot, waits until the other has locked the other one, then asks for it: a cycle PostgreSQL must break.
    let locked = 0;
    const bothLocked = new Promise<void>((resolve) => {
      const check = setInterval(() => locked >= 2 && (clearInterval(check), resolve()), 5);
    });
    const attempts = { owner: 0, admin: 0 };
    const crosswise = (actor: typeof ownerActor, who: "owner" | "admin", first: string, second: string) =>
      actorTransaction(actor, async (tx) => {
        attempts[who]++;
        await tx.$queryRaw`SELECT id FROM principals WHERE id = ${first} FOR UPDATE`;
        locked++;
        await bothLocked;
        await tx.$queryRaw`SELECT id FROM principals WHERE id = ${second} FOR UPDATE`;
        await tx.principal.update({ where: { id: second }, data: { name: `${second.slice(-6)}-by-${who}` } });
        return ok(who);
      });
    const results = await Promise.all([crosswise(ownerActor, "owner", a.id, b.id), crosswise(adminActor, "admin", b.id, a.id)]);
    expect(results).toEqual([{ ok: true, data: "owner" }, { ok: true, data: "admin" }]);
    expect(attempts.owner + attempts.admin).toBe(3);
  });
});
