import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { startSession } from "@/lib/domain/agent-sessions/start-session";
import { renameBot } from "@/lib/domain/bots/rename-bot";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { changeRole } from "@/lib/domain/people/change-role";
import { setPersonActive } from "@/lib/domain/people/set-person-active";
import type { Result } from "@/lib/domain/result";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "@/lib/test-support/factories";

// "A write admitted just before its actor's deactivation never commits after
// it" (lib/domain/access/actor-transaction.ts), made deterministic: a second
// connection holds a row lock that one side needs, so the interleaving that
// used to let a write through is forced every time, on the real database.
// Each test would pass on the old code only by luck of timing; they were run
// against it (db().$transaction in place of actorTransaction) and failed.
const ctx = { ip: "192.0.2.95", userAgent: "vitest-standing-fence" };
const AGENT = { agent_version: "3.18.4", os: "linux", arch: "amd64" };

const held: pg.Client[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((c) => c.end().catch(() => {})));
});

/** A second connection that locks what `sql` selects FOR UPDATE until `release()`. */
async function holdLock(sql: string, params: unknown[]): Promise<{ release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  held.push(client);
  await client.connect();
  await client.query("BEGIN");
  const { rowCount } = await client.query(sql, params);
  expect(rowCount).toBe(1);
  return { release: async () => void (await client.query("COMMIT")) };
}

/** Resolves once some backend other than the lock holder waits for a lock (the racer reached the held row or a fence). */
async function untilSomeoneWaits(count = 1): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const [row] = await db().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    if (row!.n >= count) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("nobody waited for a lock");
}

/** Runs `promise`, noting when it settled relative to the others in `order`. */
function track<T>(name: string, promise: Promise<T>, order: string[]): Promise<T> {
  return promise.finally(() => order.push(name));
}

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
