import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "../../db/client";
import { signInWithPassword } from "../access/sign-in-with-password";
import { createFirstAccount } from "./create-first-account";
import { issueSetupToken } from "./issue-setup-token";
import { setupLinkStatus } from "./setup-link-status";
import { FIRST_ACCOUNT_LOCK_KEY, newSetupToken } from "./setup-token";

/**
 * The first account of a production database, made with the one-time setup
 * link, on this file's own fresh (empty) PostgreSQL database. The tests run in
 * order: every link refused while the database is empty, then the race that
 * creates the one account, then everything refused because it exists.
 */

const ctx = { ip: "198.51.100.9", userAgent: "vitest" };
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
afterAll(() => client.end());

const form = (token: string, n = 0) => ({
  token,
  accountName: "Initech",
  name: `Peter ${n}`,
  email: `peter${n}@initech.example`,
  password: "a long enough password",
  confirmPassword: "a long enough password",
});

async function counts() {
  const { rows } = await client.query<{ accounts: number; people: number; owners: number; events: number }>(`SELECT
    (SELECT count(*) FROM accounts)::int AS accounts, (SELECT count(*) FROM principals)::int AS people,
    (SELECT count(*) FROM memberships WHERE role = 'owner')::int AS owners, (SELECT count(*) FROM events)::int AS events`);
  return rows[0]!;
}
const nothing = { accounts: 0, people: 0, owners: 0, events: 0 };

describe("the setup link on an empty database", () => {
  it("without a link, or with one that was never issued, offers nothing and creates nothing", async () => {
    expect(await setupLinkStatus(undefined)).toBe("missing");
    expect(await setupLinkStatus("not-a-token")).toBe("unknown");
    expect(await setupLinkStatus("A".repeat(43))).toBe("unknown");
    const result = await createFirstAccount(form("A".repeat(43)), ctx);
    expect(result).toMatchObject({ ok: false, code: "link_unknown" });
    expect(await createFirstAccount(form(""), ctx)).toMatchObject({ ok: false, code: "link_missing" });
    expect(await createFirstAccount({ ...form(""), token: 42 }, ctx)).toMatchObject({ ok: false, code: "link_unknown" });
    expect(await createFirstAccount(null, ctx)).toMatchObject({ ok: false, code: "link_missing" });
    expect(await counts()).toEqual(nothing);
  });

  it("stores only a hash; a newer link replaces the older one; an expired link says so", async () => {
    const older = (await issueSetupToken(client))!;
    const newer = (await issueSetupToken(client))!;
    const { rows } = await client.query<{ token_hash: string }>("SELECT token_hash FROM setup_tokens");
    expect(rows.map((r) => r.token_hash)).not.toContain(older.token);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
    expect(newer.expiresAt.getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);

    expect(await setupLinkStatus(older.token)).toBe("replaced");
    expect(await createFirstAccount(form(older.token), ctx)).toMatchObject({ ok: false, code: "link_replaced" });
    expect(await setupLinkStatus(newer.token)).toBe("valid");
    await client.query("UPDATE setup_tokens SET expires_at = now() - interval '1 second' WHERE replaced_at IS NULL");
    expect(await setupLinkStatus(newer.token)).toBe("expired");
    expect(await createFirstAccount(form(newer.token), ctx)).toMatchObject({ ok: false, code: "link_expired" });
    expect(await counts()).toEqual(nothing);
  });

  it("refuses bad fields with the password rules, and the link still works after", async () => {
    const { token } = (await issueSetupToken(client))!;
    const result = await createFirstAccount({ ...form(token), email: "not an email", password: "short", confirmPassword: "short" }, ctx);
    expect(result).toMatchObject({ ok: false, code: "invalid_input", fieldErrors: { email: "Enter a valid email", password: "Use at least 10 characters" } });
    expect(await createFirstAccount({ ...form(token), confirmPassword: "something else entirely" }, ctx)).toMatchObject({
      fieldErrors: { confirmPassword: "The two passwords differ" },
    });
    expect(await setupLinkStatus(token)).toBe("valid");
    expect(await counts()).toEqual(nothing);
  });

  it("eight setups at once with one link make exactly one account, its owner, and its two events", async () => {
    const { token } = (await issueSetupToken(client))!;
    // Every racer passes the link's first check and waits inside its transaction for the first-account
    // lock, held here; released, they run one after another, as a crowd at one moment would.
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [FIRST_ACCOUNT_LOCK_KEY]);
    const racers = Array.from({ length: 8 }, (_, n) => createFirstAccount(form(token, n), { ...ctx, ip: `198.51.100.${n}` }));
    // (At most 20 s: code that never takes the lock must fail on the outcome below, not time out here.)
    for (let waiting = 0, deadline = Date.now() + 20_000; waiting < 8 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 50));
      const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
      waiting = rows[0]!.n;
    }
    await client.query("COMMIT");
    const results = await Promise.all(racers);

    const won = results.filter((r) => r.ok);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? "" : r.code))).toEqual(Array(7).fill("already_set_up"));
    expect(await counts()).toEqual({ accounts: 1, people: 1, owners: 1, events: 2 });

    const { accountId, ownerId, email } = won[0]!.ok ? won[0]!.data : ({} as never);
    const events = await db().event.findMany({ where: { accountId }, orderBy: { type: "asc" } });
    expect(events.map((e) => [e.type, e.principalId, e.subjectId, e.source])).toEqual([
      ["account.created", ownerId, accountId, "dashboard"],
      ["person.added", ownerId, ownerId, "dashboard"],
    ]);
    expect(events[0]!.data).toEqual({ after: { name: "Initech", plan: "team", seatLimit: 5 }, via: "setup_link" });
    expect(events[1]!.data).toEqual({ after: { email, role: "owner" }, newUser: true });
    expect(JSON.stringify(events)).not.toContain("a long enough password");
    expect(await setupLinkStatus(token)).toBe("set_up");

    // The owner signs in with the password they chose.
    const signedIn = await signInWithPassword({ login: email, password: "a long enough password" }, ctx);
    expect(signedIn).toMatchObject({ ok: true, value: { id: ownerId } });
  }, 60_000);

  it("once an account exists: every link, even a fresh one written straight into the table, is refused, and no new link is issued", async () => {
    expect(await issueSetupToken(client)).toBeNull();
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM setup_tokens WHERE used_at IS NULL AND replaced_at IS NULL");
    expect(rows[0]!.n).toBe(0);
    const fresh = newSetupToken();
    await client.query("INSERT INTO setup_tokens (id, token_hash, expires_at) VALUES ('st_fresh', $1, now() + interval '1 hour')", [fresh.hash]);
    const before = await counts();
    expect(await setupLinkStatus(undefined)).toBe("set_up");
    expect(await setupLinkStatus(fresh.token)).toBe("set_up");
    expect(await createFirstAccount(form(fresh.token, 99), ctx)).toMatchObject({ ok: false, code: "already_set_up" });
    expect(await counts()).toEqual(before);
  });
});
