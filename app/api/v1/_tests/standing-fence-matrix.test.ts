import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { Actor } from "@/lib/domain/access/types";
import { startSession } from "@/lib/domain/agent-sessions/start-session";
import { renameBot } from "@/lib/domain/bots/rename-bot";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { deleteBots } from "@/lib/domain/bots/delete-bots";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { changeRole } from "@/lib/domain/people/change-role";
import { removePerson } from "@/lib/domain/people/remove-person";
import { resetPassword } from "@/lib/domain/people/reset-password";
import { setPersonActive } from "@/lib/domain/people/set-person-active";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "@/lib/test-support/factories";
import { LockHolder, track, untilSomeoneWaits } from "@/lib/test-support/locks";
import { apiKeyFor, call } from "./client";

// THE rule "a write either commits before the change that ends its actor's
// standing, or is refused" (lib/domain/access/actor-transaction.ts), for EVERY
// call that changes a principal's standing, from the dashboard (the domain
// function its server action calls through performAction) and from the REST
// API (the real route handler with an owner's API key), each against a write
// by the principal it affects:
//
// - "in flight": the affected principal's write has started and is held up
//   (a second connection holds a row it needs) when the change starts; the
//   change waits for it, so the write is served and the change commits after;
// - "arriving": the change is under way (held up on the account's row before
//   its commit) when the affected principal's write arrives; the write waits
//   and is then refused with nothing written (a password reset refuses
//   nothing: the write then commits after it).
//
// A bot's write is an agent starting a session with its authtoken; a person's
// is an admin renaming a bot. Before the fence was part of the step that
// changes standing, PATCH /api/v1/bot_users/{id} {"active": false} (updateBot)
// took none: "arriving" let the bot's session commit AFTER its deactivation,
// and "in flight" deactivated the bot under the running write (both rows below
// failed on that code).

const ctx = { ip: "192.0.2.96", userAgent: "vitest-standing-matrix" };
const AGENT = { agent_version: "3.18.4", os: "linux", arch: "amd64" };
const locks = new LockHolder();
afterEach(() => locks.releaseAll());

type Answer = { ok: boolean; code?: string };

async function setup() {
  const { account, owner } = await createTestAccount();
  const ownerActor = actorOf(account, owner, "owner");
  const admin = await createTestPerson(account.id, "admin");
  const adminActor = actorOf(account, admin, "admin");
  const bot = await createTestBot(account.id, `matrix-${admin.id.slice(-6)}`);
  const target = await createTestBot(account.id, `matrix-target-${admin.id.slice(-6)}`);
  const token = await createCredential(ownerActor, { kind: "authtoken", ownerId: bot.id }, ctx);
  if (!token.ok) throw new Error(token.message);
  const agent: Actor = {
    ...ownerActor,
    principal: { id: bot.id, name: bot.name, kind: "bot" },
    role: "member",
    source: "agent",
    credential: { id: token.data.credential.id, display: token.data.credential.display },
  };
  const ownerKey = await apiKeyFor(ownerActor, owner.id);
  return { account, ownerActor, ownerKey, admin, adminActor, bot, target, agent };
}
type Setup = Awaited<ReturnType<typeof setup>>;

/** The answer of a domain function or of an API call, as far as the matrix compares them. */
const viaApi = async (answer: Promise<{ status: number; body: { error_code?: string } | null }>): Promise<Answer> => {
  const { status, body } = await answer;
  return status < 300 ? { ok: true } : { ok: false, code: body?.error_code };
};
const viaDomain = async (result: Promise<{ ok: boolean; code?: string }>): Promise<Answer> => {
  const r = await result;
  return r.ok ? { ok: true } : { ok: false, code: r.code };
};

interface Change {
  name: string;
  affects: "bot" | "admin";
  run: (s: Setup) => Promise<Answer>;
  /** What the affected principal's write arriving while the change is under way is refused with; null: it goes through after. */
  arrivingRefusedWith: string | null;
}

const CHANGES: Change[] = [
  {
    name: "dashboard: deactivate bots (setBotsActive)",
    affects: "bot",
    run: (s) => viaDomain(setBotsActive(s.ownerActor, { ids: [s.bot.id], active: false }, ctx)),
    arrivingRefusedWith: "actor_deactivated",
  },
  {
    name: 'API: PATCH /bot_users/{id} {"active": false} (updateBot)',
    affects: "bot",
    run: (s) => viaApi(call("PATCH", `/bot_users/${s.bot.id}`, { key: s.ownerKey.token, body: { active: false } })),
    arrivingRefusedWith: "actor_deactivated",
  },
  {
    name: "dashboard: delete bots (deleteBots)",
    affects: "bot",
    run: (s) => viaDomain(deleteBots(s.ownerActor, { ids: [s.bot.id] }, ctx)),
    arrivingRefusedWith: "actor_deleted",
  },
  {
    name: "API: DELETE /bot_users/{id} (deleteBots)",
    affects: "bot",
    run: (s) => viaApi(call("DELETE", `/bot_users/${s.bot.id}`, { key: s.ownerKey.token })),
    arrivingRefusedWith: "actor_deleted",
  },
  {
    name: "dashboard: deactivate a person (setPersonActive)",
    affects: "admin",
    run: (s) => viaDomain(setPersonActive(s.ownerActor, { personId: s.admin.id, active: false }, ctx)),
    arrivingRefusedWith: "actor_deactivated",
  },
  {
    name: "dashboard: remove a person (removePerson)",
    affects: "admin",
    run: (s) => viaDomain(removePerson(s.ownerActor, { personId: s.admin.id }, ctx)),
    arrivingRefusedWith: "actor_deactivated",
  },
  {
    name: "dashboard: change a role, admin to member (changeRole)",
    affects: "admin",
    run: (s) => viaDomain(changeRole(s.ownerActor, { personId: s.admin.id, role: "member" }, ctx)),
    arrivingRefusedWith: "not_admin",
  },
  {
    name: "dashboard: reset a password (resetPassword)",
    affects: "admin",
    run: (s) => viaDomain(resetPassword(s.ownerActor, { personId: s.admin.id }, ctx)),
    arrivingRefusedWith: null,
  },
];

/** The affected principal's write: an agent's session (bot) or a rename (admin). */
function write(change: Change, s: Setup): Promise<Answer> {
  return change.affects === "bot"
    ? viaDomain(startSession(s.agent, ctx, AGENT))
    : viaDomain(renameBot(s.adminActor, { id: s.target.id, name: `${s.target.name}-renamed` }, ctx));
}

/** Whether the write's change is in the database. */
async function written(change: Change, s: Setup): Promise<boolean> {
  if (change.affects === "bot") return (await db().tunnelSession.count({ where: { principalId: s.bot.id } })) > 0;
  return (await db().principal.findUniqueOrThrow({ where: { id: s.target.id } })).name !== s.target.name;
}

describe("every change of a principal's standing × a write by that principal (real PostgreSQL)", () => {
  for (const change of CHANGES) {
    it(`${change.name}: a write in flight is served, and the change commits after it`, async () => {
      const s = await setup();
      // The write is admitted and stalls on a row of its own, before touching the principal's row.
      let lock;
      if (change.affects === "bot") {
        await db().$executeRaw`INSERT INTO usage_daily (account_id, principal_id, day, updated_at) VALUES (${s.account.id}, ${s.bot.id}, (now() AT TIME ZONE 'UTC')::date, now())`;
        lock = await locks.hold("SELECT principal_id FROM usage_daily WHERE principal_id = $1 FOR UPDATE", [s.bot.id]);
      } else {
        lock = await locks.hold("SELECT id FROM principals WHERE id = $1 FOR UPDATE", [s.target.id]);
      }
      const order: string[] = [];
      const inFlight = track("write", write(change, s), order);
      await untilSomeoneWaits(1);
      const changed = track("change", change.run(s), order);
      await Promise.race([changed, untilSomeoneWaits(2)]);
      await lock.release();
      const [w, c] = await Promise.all([inFlight, changed]);
      expect(c).toEqual({ ok: true });
      expect(w).toEqual({ ok: true });
      expect(order).toEqual(["write", "change"]);
      expect(await written(change, s)).toBe(true);
    });

    it(`${change.name}: a write arriving while it is under way ${change.arrivingRefusedWith ? `is refused (${change.arrivingRefusedWith}) with nothing written` : "commits after it"}`, async () => {
      const s = await setup();
      // The change starts and stalls on the account's row (its event, or the account lock people changes take)…
      const lock = await locks.hold("SELECT id FROM accounts WHERE id = $1 FOR UPDATE", [s.account.id]);
      const order: string[] = [];
      const changed = track("change", change.run(s), order);
      await untilSomeoneWaits(1);
      // …and the affected principal's write, admitted before, arrives now.
      const arriving = track("write", write(change, s), order);
      await untilSomeoneWaits(2);
      await lock.release();
      const [c, w] = await Promise.all([changed, arriving]);
      expect(c).toEqual({ ok: true });
      if (change.arrivingRefusedWith) {
        expect(w).toEqual({ ok: false, code: change.arrivingRefusedWith });
        expect(await written(change, s)).toBe(false);
      } else {
        expect(w).toEqual({ ok: true });
        expect(order).toEqual(["change", "write"]);
      }
    });
  }
});
