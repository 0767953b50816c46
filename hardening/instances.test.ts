import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild, freePort, scratchDatabase } from "./scratch-server";
import { startLauncher, type Launcher } from "./launcher-support";
import { serverActions } from "../e2e/hardening/inventory";
import { DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL } from "../lib/db/demo";
import { newId } from "../lib/ids";
import { issueSecret } from "../lib/domain/credentials/token-format";
import { REFUSAL_MESSAGES } from "../lib/domain/access/refusals";
import { hashPassword } from "../lib/domain/people/password";
import { readMigrations } from "../lib/db/migration-files";

/**
 * Two Botdesk instances (`npm start` each, from the built app) on ONE fresh
 * PostgreSQL database on the machine's server, as a load-balanced deployment
 * runs them: they start together, then what one does must hold on the other at
 * its next request. Last, one is killed with SIGKILL in the middle of bulk
 * deletes. The database is created for this run and dropped after it.
 */

const REPO = process.cwd();
const PASSWORD = "instances-password-123";
const AUTH_SECRET = randomBytes(24).toString("hex");
const SIGNIN_MAX_PER_EMAIL = 5;
const API_MAX_PER_KEY = 10;
const API_MAX_PER_ACCOUNT = 20;

/** An instance: the launcher and the address its web server answers on. */
interface Instance extends Launcher {
  base: string;
}

const dbName = `botdesk_instances_${Date.now()}_${process.pid}`;
const dataDirs: string[] = [];
let databaseUrl = "";
let pool: pg.Pool;
let database: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
let a: Instance;
let b: Instance;

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await pool.query<T>(text, values)).rows;
}

/** `npm start` with DATABASE_URL, in a process group of its own (so it and its web server can be killed together). */
async function startInstance(): Promise<Instance> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-instance-"));
  dataDirs.push(dataDir);
  const launcher = startLauncher(
    REPO,
    {
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      BOTDESK_DATA_DIR: dataDir,
      AUTH_SECRET,
      BOTDESK_ADMIN_PASSWORD: PASSWORD,
      BOTDESK_DEMO: "1",
      BOTDESK_SSH_PORT: "off",
      BOTDESK_SIGNIN_MAX_PER_EMAIL: String(SIGNIN_MAX_PER_EMAIL),
      BOTDESK_SIGNIN_MAX_PER_IP: "100000",
      BOTDESK_API_MAX_PER_KEY: String(API_MAX_PER_KEY),
      BOTDESK_API_MAX_PER_ACCOUNT: String(API_MAX_PER_ACCOUNT),
    },
    { guard: true },
  );
  return { ...launcher, base: `http://localhost:${port}` };
}

/** Until the instance serves its sign-in page. */
function ready(instance: Instance): Promise<void> {
  return instance.waitUntil(async () => (await fetch(`${instance.base}/sign-in`).catch(() => null))?.status === 200, 120_000, "an answer from /sign-in");
}

function action(name: string) {
  const found = serverActions().find((x) => x.key.endsWith(`#${name}`));
  if (!found) throw new Error(`no server action ${name} in the build`);
  return found;
}

/** A server action over HTTP as Next's client calls it (JSON arguments). */
async function callAction(instance: Instance, name: string, args: unknown[], cookie: string): Promise<{ status: number; text: string }> {
  const { id, pagePath } = action(name);
  const res = await fetch(`${instance.base}${pagePath}`, {
    method: "POST",
    headers: { "Next-Action": id, Accept: "text/x-component", Origin: instance.base, "Content-Type": "text/plain;charset=UTF-8", Cookie: cookie },
    body: JSON.stringify(args),
    redirect: "manual",
  });
  return { status: res.status, text: await res.text() };
}

/** The sign-in form posted to an instance: the session cookie it set (null when refused), and what it answered. */
async function signIn(instance: Instance, email: string, password: string): Promise<{ cookie: string | null; text: string; status: number }> {
  const { id, pagePath } = action("signInAction");
  const form = new FormData();
  form.append("_1_login", email);
  form.append("_1_password", password);
  form.append("0", JSON.stringify([null, "$K1"]));
  const res = await fetch(`${instance.base}${pagePath}`, { method: "POST", headers: { "Next-Action": id, Accept: "text/x-component", Origin: instance.base }, body: form, redirect: "manual" });
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]!).find((c) => c.startsWith("authjs.session-token=") && c.length > "authjs.session-token=".length) ?? null;
  return { cookie, text: await res.text(), status: res.status };
}

/** A dashboard page with a session cookie: 200 when the session is honoured, else where it was sent. */
async function page(instance: Instance, cookie: string, pathname = "/users"): Promise<{ status: number; location: string | null }> {
  const res = await fetch(`${instance.base}${pathname}`, { headers: { Cookie: cookie }, redirect: "manual" });
  await res.arrayBuffer();
  return { status: res.status, location: res.headers.get("location") };
}

async function api(instance: Instance, key: string, method = "GET", pathname = "/bot_users"): Promise<{ status: number; code: string | null }> {
  const res = await fetch(`${instance.base}/api/v1${pathname}`, { method, headers: { Authorization: `Bearer ${key}`, "Ngrok-Version": "2" } });
  const body = (await res.json().catch(() => null)) as { error_code?: string } | null;
  return { status: res.status, code: body?.error_code ?? null };
}

async function insertKey(accountId: string, ownerId: string): Promise<string> {
  const id = newId("apiKey");
  const secret = issueSecret("api_key", id);
  await sql("INSERT INTO credentials (id, account_id, kind, owner_id, secret_hash, secret_hint) VALUES ($1, $2, 'api_key', $3, $4, $5)", [id, accountId, ownerId, secret.hash, secret.hint]);
  return secret.token;
}

async function acme(): Promise<string> {
  const [row] = await sql<{ id: string }>("SELECT id FROM accounts WHERE name = 'Acme'");
  return row!.id;
}

async function insertBots(accountId: string, n: number, prefix: string): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId("bot"));
  const names = ids.map((_, i) => `${prefix}-${i}`);
  await sql("INSERT INTO principals (id, kind, name, name_key, status, account_id) SELECT id, 'bot', name, name, 'active', $3 FROM unnest($1::text[], $2::text[]) AS t(id, name)", [ids, names, accountId]);
  return ids;
}

beforeAll(async () => {
  ensureBuild(REPO);
  database = await scratchDatabase(dbName, 3);
  databaseUrl = database.url;
  pool = database.pool;
  // Both at the same moment, on the empty database.
  [a, b] = [await startInstance(), await startInstance()];
  await Promise.all([ready(a), ready(b)]);
}, 240_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.drop();
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("two instances on one PostgreSQL database", () => {
  it("started together: each migration applied once, the demo seeded once", async () => {
    const applied = await sql<{ migration_name: string; n: number; unfinished: number }>(
      "SELECT migration_name, count(*)::int AS n, count(*) FILTER (WHERE finished_at IS NULL)::int AS unfinished FROM _prisma_migrations GROUP BY migration_name ORDER BY migration_name",
    );
    expect(applied.map((m) => m.migration_name)).toEqual((await readMigrations()).map((m) => m.name));
    expect(applied.every((m) => m.n === 1 && m.unfinished === 0)).toBe(true);
    expect(await sql("SELECT name FROM accounts")).toEqual([{ name: "Acme" }]);
    expect((await sql<{ n: number }>("SELECT count(*)::int AS n FROM principals WHERE kind = 'bot'"))[0]!.n).toBe(3);
    const logs = [a.output(), b.output()];
    expect(logs.filter((l) => l.includes('created the demo account "Acme"'))).toHaveLength(1);
    expect(logs.filter((l) => /Applied \d+ migrations?\./.test(l))).toHaveLength(1);
  });

  it("a session from signing in on one is honoured by the other; signing out on one ends it on both", async () => {
    const signed = await signIn(a, DEMO_ADMIN_EMAIL, PASSWORD);
    expect(signed.cookie).not.toBeNull();
    expect(await page(b, signed.cookie!)).toEqual({ status: 200, location: null });
    // Signing out (on B) ends the session everywhere: A refuses the same cookie at its next request.
    const out = await callAction(b, "signOutAction", [], signed.cookie!);
    expect(out.status).toBeLessThan(500);
    for (const instance of [a, b]) expect((await page(instance, signed.cookie!)).location).toBe("/session/end?reason=ended");
  });

  it("a person deactivated on one is refused by the other at the next request", async () => {
    const admin = await signIn(a, DEMO_ADMIN_EMAIL, PASSWORD);
    const member = await signIn(b, DEMO_MEMBER_EMAIL, PASSWORD);
    expect(await page(b, member.cookie!)).toEqual({ status: 200, location: null });
    const [row] = await sql<{ id: string }>("SELECT id FROM principals WHERE email = $1", [DEMO_MEMBER_EMAIL]);
    await callAction(a, "setPersonActiveAction", [{ personId: row!.id, active: false }], admin.cookie!);
    expect(await sql("SELECT status FROM memberships WHERE principal_id = $1", [row!.id])).toEqual([{ status: "deactivated" }]);
    expect((await page(b, member.cookie!)).location).toBe("/session/end?reason=ended");
    expect((await signIn(b, DEMO_MEMBER_EMAIL, PASSWORD)).cookie).toBeNull();
  });

  it("a bot deactivated on one: its API key is refused by the other at the next request", async () => {
    const admin = await signIn(b, DEMO_ADMIN_EMAIL, PASSWORD);
    const accountId = await acme();
    const [botId] = await insertBots(accountId, 1, "instances-bot");
    const key = await insertKey(accountId, botId!);
    expect(await api(b, key)).toEqual({ status: 200, code: null });
    await callAction(a, "setBotsActiveAction", [{ ids: [botId], active: false }], admin.cookie!);
    expect(await sql("SELECT status FROM principals WHERE id = $1", [botId])).toEqual([{ status: "deactivated" }]);
    expect(await api(b, key)).toEqual({ status: 403, code: "ERR_NGROK_636" });
  });

  it("an API key's rate limit is one limit across both: of 16 parallel calls, 8 to each, exactly the limit are served", async () => {
    const accountId = await acme();
    const [owner] = await sql<{ id: string }>("SELECT id FROM principals WHERE email = $1", [DEMO_ADMIN_EMAIL]);
    const key = await insertKey(accountId, owner!.id);
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => api(i % 2 ? a : b, key)));
    expect(answers.filter((x) => x.status === 200)).toHaveLength(API_MAX_PER_KEY);
    expect(answers.filter((x) => x.status === 429)).toHaveLength(16 - API_MAX_PER_KEY);
  });

  it("an account's rate limit is one limit across both: 30 parallel calls with 5 keys (6 each, under the key's limit), 15 to each, exactly the account's limit are served", async () => {
    // An account of its own: the calls above count against Acme's.
    const accountId = newId("account");
    await sql("INSERT INTO accounts (id, name, seat_limit) VALUES ($1, 'Rate Limit Test', 5)", [accountId]);
    const bots = await insertBots(accountId, 5, "rate-limited");
    const keys = await Promise.all(bots.map((id) => insertKey(accountId, id)));
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => api(i % 2 ? a : b, keys[i % keys.length]!)));
    expect(answers.filter((x) => x.status === 200)).toHaveLength(API_MAX_PER_ACCOUNT);
    expect(answers.filter((x) => x.status === 429)).toHaveLength(30 - API_MAX_PER_ACCOUNT);
  });

  it("100 parallel sign-in guesses for one email, 50 to each: exactly the limit are checked, the rest refused as too many", async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => signIn(i % 2 ? a : b, DEMO_ADMIN_EMAIL, `wrong-guess-${i}`)));
    expect(answers.filter((x) => x.cookie !== null)).toEqual([]);
    const checked = answers.filter((x) => x.text.includes(REFUSAL_MESSAGES.invalid));
    const limited = answers.filter((x) => x.text.includes("Too many sign-in attempts"));
    expect(checked).toHaveLength(SIGNIN_MAX_PER_EMAIL);
    expect(limited).toHaveLength(100 - SIGNIN_MAX_PER_EMAIL);
    // Even the right password is refused now, on either instance, until the window ends.
    for (const instance of [a, b]) expect((await signIn(instance, DEMO_ADMIN_EMAIL, PASSWORD)).text).toContain("Too many sign-in attempts");
  });
});

describe("an instance killed with SIGKILL during bulk deletes", () => {
  it("leaves each bulk delete of 100 bots (500 in all) done entirely or not at all; the other instance serves on", async () => {
    const accountId = await acme();
    // The demo owner is rate-limited by the guesses above: a second owner does the deleting.
    const ownerId = newId("person");
    await sql("INSERT INTO principals (id, kind, name, email, password_hash) VALUES ($1, 'person', 'Kill Test', 'kill-owner@example.test', $2)", [ownerId, await hashPassword(PASSWORD)]);
    await sql("INSERT INTO memberships (account_id, principal_id, role, status) VALUES ($1, $2, 'owner', 'active')", [accountId, ownerId]);
    const admin = await signIn(a, "kill-owner@example.test", PASSWORD);
    expect(admin.cookie).not.toBeNull();
    const batches: string[][] = [];
    for (let i = 0; i < 5; i++) {
      const ids = await insertBots(accountId, 100, `doomed-${i}`);
      for (const id of ids) await insertKey(accountId, id);
      batches.push(ids);
    }
    const calls = batches.map((ids) => callAction(a, "deleteBotsAction", [{ ids }], admin.cookie!).catch(() => null));
    // Kill once a delete has changed rows and is recording its events (bots and credentials written, events under way).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [open] = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ~* 'INSERT INTO\\s+("public"\\.)?"?events\\M'`,
      );
      if (open!.n > 0) break;
      if (Date.now() > deadline) throw new Error("no delete started within 30 s");
      await new Promise((r) => setTimeout(r, 5));
    }
    await a.stop("SIGKILL");
    await Promise.all(calls);
    // PostgreSQL rolls back what the dead connections left open.
    for (let i = 0; i < 100; i++) {
      const [open] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()");
      if (open!.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    let deletedInAll = 0;
    for (const ids of batches) {
      const [state] = await sql<{ deleted: number; keys: number; events: number }>(
        `SELECT (SELECT count(*)::int FROM principals WHERE id = ANY($1::text[]) AND deleted_at IS NOT NULL) AS deleted,
                (SELECT count(*)::int FROM credentials WHERE owner_id = ANY($1::text[])) AS keys,
                (SELECT count(*)::int FROM events WHERE type = 'bot.deleted' AND subject_id = ANY($1::text[])) AS events`,
        [ids],
      );
      expect([0, 100]).toContain(state!.deleted);
      expect(state).toEqual(state!.deleted === 100 ? { deleted: 100, keys: 0, events: 100 } : { deleted: 0, keys: 100, events: 0 });
      deletedInAll += state!.deleted;
    }
    console.log(`[instances] killed during 5 bulk deletes of 100 bots: ${deletedInAll / 100} finished, ${5 - deletedInAll / 100} rolled back`);
    // The kill came in the middle: not every delete finished.
    expect(deletedInAll).toBeLessThan(500);
    // The other instance lists exactly the bots that are left.
    const owner = await signIn(b, "kill-owner@example.test", PASSWORD);
    expect(await page(b, owner.cookie!)).toEqual({ status: 200, location: null });
    const [left] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM principals WHERE name LIKE 'doomed-%' AND deleted_at IS NULL");
    expect(left!.n).toBe(500 - deletedInAll);
  });
});
