import { randomBytes } from "node:crypto";
import { hash } from "@node-rs/argon2";
import { encode } from "next-auth/jwt";
import { newId } from "../../lib/ids";
import pg from "pg";
import { E2E_AUTH_SECRET, e2eDatabaseUrl } from "../support/constants";

/**
 * Principals for the authorization matrix, in two accounts of their own (the demo
 * account "Acme" stays as the other specs expect it). Rows are written as an admin
 * with psql would; sessions are Auth.js cookies minted with the e2e secret for the
 * principal's current session version, exactly what signing in would set.
 */

export const SESSION_COOKIE = "authjs.session-token";
export const PASSWORD = "hardening-password-123";
const unique = () => randomBytes(4).toString("hex");

export type CookiePrincipal = "anonymous" | "member" | "admin" | "owner" | "otherAdmin" | "deactivated" | "signedOut";
export const COOKIE_PRINCIPALS: CookiePrincipal[] = ["anonymous", "member", "admin", "owner", "otherAdmin", "deactivated", "signedOut"];

export interface Fixture {
  accountA: string;
  accountB: string;
  people: Record<Exclude<CookiePrincipal, "anonymous">, { id: string; email: string }>;
  /** A bot, a person and a credential in the other account (B): what "another account's ids" means. */
  foreign: { botId: string; personId: string; credentialId: string };
}

let pool: pg.Pool | null = null;

/** One statement on the e2e database, through a pool this module keeps (closeDatabase ends it). */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(strings: TemplateStringsArray, ...values: (string | number | null)[]): Promise<T[]> {
  pool ??= new pg.Pool({ connectionString: e2eDatabaseUrl(), max: 2 });
  const text = strings.reduce((acc, part, i) => `${acc}$${i}${part}`);
  return (await pool.query<T>(text, values)).rows;
}

export async function closeDatabase(): Promise<void> {
  await pool?.end();
  pool = null;
}

let passwordHash: Promise<string> | null = null;

async function insertAccount(name: string): Promise<string> {
  const id = newId("account");
  await sql`INSERT INTO accounts (id, name, seat_limit) VALUES (${id}, ${name}, 100000)`;
  return id;
}

export async function insertPerson(accountId: string, role: "owner" | "admin" | "member", status: "active" | "deactivated" = "active") {
  passwordHash ??= hash(PASSWORD, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const id = newId("person");
  const email = `hardening-${unique()}@example.test`;
  await sql`INSERT INTO principals (id, kind, name, email, password_hash) VALUES (${id}, 'person', ${`Hardening ${role} ${unique()}`}, ${email}, ${await passwordHash})`;
  await sql`INSERT INTO memberships (account_id, principal_id, role, status) VALUES (${accountId}, ${id}, ${role}, ${status})`;
  return { id, email };
}

export async function insertBot(accountId: string, active = true): Promise<string> {
  const id = newId("bot");
  const name = `hardening-bot-${unique()}`;
  await sql`INSERT INTO principals (id, kind, name, name_key, status, account_id) VALUES (${id}, 'bot', ${name}, ${name}, ${active ? "active" : "deactivated"}, ${accountId})`;
  return id;
}

/** A reserved domain of the account, with a name no other call uses, as an admin with psql would reserve it. */
export async function insertReservedDomain(accountId: string): Promise<string> {
  const id = newId("reservedDomain");
  const label = `matrix-${unique()}`;
  await sql`INSERT INTO reserved_domains (id, account_id, domain, zone_key) VALUES (${id}, ${accountId}, ${`${label}.example.com`}, ${`com.example.${label}.`})`;
  return id;
}

/** An authtoken row (its secret is irrelevant here: no request presents it). */
export async function insertCredential(accountId: string, ownerId: string): Promise<string> {
  const id = newId("authtoken");
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, secret_hash, secret_hint) VALUES (${id}, ${accountId}, 'authtoken', ${ownerId}, ${randomBytes(16).toString("hex")}, 'abcd')`;
  return id;
}

export async function createFixture(): Promise<Fixture> {
  const accountA = await insertAccount(`Hardening A ${unique()}`);
  const accountB = await insertAccount(`Hardening B ${unique()}`);
  const people = {
    owner: await insertPerson(accountA, "owner"),
    admin: await insertPerson(accountA, "admin"),
    member: await insertPerson(accountA, "member"),
    deactivated: await insertPerson(accountA, "admin", "deactivated"),
    signedOut: await insertPerson(accountA, "admin"),
    otherAdmin: await insertPerson(accountB, "admin"),
  };
  await insertPerson(accountB, "owner");
  const botB = await insertBot(accountB);
  const foreign = { botId: botB, personId: (await insertPerson(accountB, "member")).id, credentialId: await insertCredential(accountB, botB) };
  return { accountA, accountB, people, foreign };
}

/** The session cookie signing in as this person would set now (null for anonymous). */
export async function sessionCookie(fixture: Fixture, who: CookiePrincipal): Promise<string | null> {
  if (who === "anonymous") return null;
  const { id } = fixture.people[who];
  const [row] = await sql<{ session_version: number }>`SELECT session_version FROM principals WHERE id = ${id}`;
  const token = await encode({ token: { sub: id, sv: row!.session_version }, secret: E2E_AUTH_SECRET, salt: SESSION_COOKIE });
  return `${SESSION_COOKIE}=${token}`;
}

/**
 * A cheap digest of what any request could change: the rows of principals,
 * memberships, credentials, accounts, reserved domains and event streams, and the count of each event type except
 * refusals and requests (recorded on purpose) and what Botdesk's own timers write
 * meanwhile (the expiry sweep and its warnings 7 and 1 days ahead, the purge, the
 * agent-session sweep, a destination given up by the event-stream sender).
 */
/** An event destination (a webhook to a public test address, never sent to) and a subscription of it to `bot_user_created.v0`. */
export async function insertEventStream(accountId: string): Promise<{ destinationId: string; subscriptionId: string }> {
  const destinationId = newId("eventDestination");
  const subscriptionId = newId("eventSubscription");
  await sql`INSERT INTO event_destinations (id, account_id, kind, target, secret_sealed) VALUES (${destinationId}, ${accountId}, 'webhook', '{"url":"https://203.0.113.10/hardening"}', 'v1.none')`;
  await sql`INSERT INTO event_subscriptions (id, account_id, sources) VALUES (${subscriptionId}, ${accountId}, ARRAY['bot_user_created.v0'])`;
  return { destinationId, subscriptionId };
}

export async function digest(): Promise<string> {
  const [row] = await sql<{ d: string }>`SELECT concat_ws('|',
    md5((SELECT string_agg(concat_ws(',', id, name, status, deleted_at, account_id, email, password_hash, must_change_password, session_version), ';' ORDER BY id) FROM principals)),
    md5((SELECT string_agg(concat_ws(',', account_id, principal_id, role, status), ';' ORDER BY account_id, principal_id) FROM memberships)),
    md5((SELECT string_agg(concat_ws(',', id, owner_id, description, metadata, acl::text, revoked_at, expires_at, rotated_from_id), ';' ORDER BY id) FROM credentials)),
    md5((SELECT string_agg(concat_ws(',', id, name, seat_limit, quotas::text, event_retention_days), ';' ORDER BY id) FROM accounts)),
    md5((SELECT string_agg(concat_ws(',', id, account_id, domain, description, metadata, region), ';' ORDER BY id) FROM reserved_domains)),
    md5(concat((SELECT string_agg(concat_ws(',', id, account_id, description, metadata, target::text, secret_sealed), ';' ORDER BY id) FROM event_destinations), '/',
      (SELECT string_agg(concat_ws(',', id, account_id, description, metadata, sources::text), ';' ORDER BY id) FROM event_subscriptions), '/',
      (SELECT string_agg(subscription_id || '>' || destination_id, ';' ORDER BY subscription_id, destination_id) FROM event_subscription_destinations))),
    (SELECT string_agg(type || ':' || n, ',' ORDER BY type) FROM (SELECT type, count(*) AS n FROM events WHERE type NOT IN ('login.refused', 'credential.refused', 'credential.expired', 'credential.expiring', 'event_destination.failing', 'events.purged', 'agent.session_ended') GROUP BY type) t)
  ) AS d`;
  return row!.d;
}

export type BearerPrincipal = "none" | "member" | "admin" | "owner" | "otherAdmin" | "bot" | "deactivatedBot" | "expired" | "revoked";
export const BEARER_PRINCIPALS: BearerPrincipal[] = ["none", "member", "admin", "owner", "otherAdmin", "bot", "deactivatedBot", "expired", "revoked"];

/**
 * A secret of the given kind for each bearer principal (API keys for /api/v1;
 * authtokens, which agents present to the agent listener): people's and bots' own credentials, a deactivated
 * bot's, one expired a minute ago and one revoked (both an admin's).
 */
export async function bearerSecrets(f: Fixture, kind: "api_key" | "authtoken"): Promise<Record<BearerPrincipal, string | null>> {
  const { issueSecret } = await import("../../lib/domain/credentials/token-format");
  const issue = async (accountId: string, ownerId: string, opts: { expired?: boolean; revoked?: boolean } = {}) => {
    const id = newId(kind === "api_key" ? "apiKey" : "authtoken");
    const secret = issueSecret(kind, id);
    await sql`INSERT INTO credentials (id, account_id, kind, owner_id, secret_hash, secret_hint, expires_at, revoked_at)
      VALUES (${id}, ${accountId}, ${kind}, ${ownerId}, ${secret.hash}, ${secret.hint},
        ${opts.expired ? new Date(Date.now() - 60_000).toISOString() : null}, ${opts.revoked ? new Date().toISOString() : null})`;
    return secret.token;
  };
  const a = f.accountA;
  return {
    none: null,
    member: await issue(a, f.people.member.id),
    admin: await issue(a, f.people.admin.id),
    owner: await issue(a, f.people.owner.id),
    otherAdmin: await issue(f.accountB, f.people.otherAdmin.id),
    bot: await issue(a, await insertBot(a)),
    deactivatedBot: await issue(a, await insertBot(a, false)),
    expired: await issue(a, f.people.admin.id, { expired: true }),
    revoked: await issue(a, f.people.admin.id, { revoked: true }),
  };
}
