import { expect, test } from "@playwright/test";
import { newId } from "../../lib/ids";
import { closeDatabase, COOKIE_PRINCIPALS, createFixture, digest, type CookiePrincipal, type Fixture, insertBot, sessionCookie, sql } from "./fixture";
import { pages, routeHandlers } from "./inventory";

/**
 * The authorization matrix of every page and every cookie-authenticated route
 * handler in app/ (the REST API takes keys: its
 * matrix is bearer-matrix.spec.ts): each × every cookie principal, with the exact
 * status and redirect, the database unchanged, and another account's ids answered
 * exactly like ids that do not exist.
 */

interface Ids {
  botId: string;
  eventId: string;
}

interface Entry {
  url: (ids: Ids) => string;
  /** `<status>` or `<status> <Location>` per principal. */
  expect: Record<CookiePrincipal, string>;
  method?: string;
  /** Who may change the database with this request. */
  changes?: CookiePrincipal[];
  /** The URL names account A's rows: otherAdmin's answer must equal the one for ids that do not exist. */
  foreignIds?: boolean;
}

const DASHBOARD = {
  anonymous: "307 /sign-in",
  deactivated: "307 /session/end?reason=no_account",
  signedOut: "307 /session/end?reason=ended",
  member: "200",
  admin: "200",
  owner: "200",
  otherAdmin: "200",
} as const;

const SIGNED_IN_ONLY = (signedIn: string, refused: string): Record<CookiePrincipal, string> => ({
  anonymous: refused, deactivated: refused, signedOut: refused, member: signedIn, admin: signedIn, owner: signedIn, otherAdmin: signedIn,
});
const everyone = (answer: string) => SIGNED_IN_ONLY(answer, answer);

/** Pages by URL pattern, then route handlers as `METHOD /pattern`. */
const ENTRIES: Record<string, Entry> = {
  "/": { url: () => "/", expect: DASHBOARD },
  "/activity": { url: () => "/activity", expect: DASHBOARD },
  "/activity/[id]": { url: (i) => `/activity/${i.eventId}`, expect: { ...DASHBOARD, otherAdmin: "404" }, foreignIds: true },
  "/developers": { url: () => "/developers", expect: DASHBOARD },
  "/usage": { url: () => "/usage", expect: DASHBOARD },
  "/credentials": { url: () => "/credentials", expect: DASHBOARD },
  "/settings": { url: () => "/settings", expect: DASHBOARD },
  "/settings/domains": { url: () => "/settings/domains", expect: DASHBOARD },
  "/settings/event-streams": { url: () => "/settings/event-streams", expect: DASHBOARD },
  "/users": { url: () => "/users", expect: DASHBOARD },
  "/users/bots/[id]": { url: (i) => `/users/bots/${i.botId}`, expect: { ...DASHBOARD, otherAdmin: "404" }, foreignIds: true },
  "/sign-in": { url: () => "/sign-in", expect: SIGNED_IN_ONLY("307 /", "200") },
  // The first account's page: on a database with accounts it only says so, to everyone, and changes nothing.
  "/setup": { url: () => `/setup?token=${"A".repeat(43)}`, expect: everyone("200") },
  // The code step: without a pending sign-in (a cookie only a right password sets) it sends everyone back; a session goes home.
  "/sign-in/two-factor": { url: () => "/sign-in/two-factor", expect: SIGNED_IN_ONLY("307 /", "307 /sign-in") },
  // Setting up two-factor where an account requires it; anyone signed in may open it (it says there is nothing to do).
  "/set-up-two-factor": { url: () => "/set-up-two-factor", expect: DASHBOARD },
  "/choose-password": { url: () => "/choose-password", expect: { ...DASHBOARD, member: "307 /", admin: "307 /", owner: "307 /", otherAdmin: "307 /" } },
  "GET /activity/export": { url: () => "/activity/export?format=csv", expect: SIGNED_IN_ONLY("200", "401"), changes: ["member", "admin", "owner", "otherAdmin"] },
  "GET /activity/new-count": { url: () => "/activity/new-count?since=not-a-cursor", expect: SIGNED_IN_ONLY("400", "401") },
  // The activity filters' "find by name": each signed-in person gets their own account's people and bots.
  "GET /activity/principals": { url: () => "/activity/principals?q=matrix", expect: SIGNED_IN_ONLY("200", "401") },
  "GET /session/end": { url: () => "/session/end", expect: { ...SIGNED_IN_ONLY("303 /", "303 /sign-in") } },
  "GET /api/auth/[...nextauth]": { url: () => "/api/auth/session", expect: everyone("200") },
  "POST /api/auth/[...nextauth]": { url: () => "/api/auth/signout", method: "POST", expect: everyone("302 /sign-in?error=MissingCSRF") }, // no CSRF token: nothing ends
  "GET /api/health": { url: () => "/api/health", expect: everyone("200") },
  // Load balancers' probes: no auth, no cookies, whoever asks.
  "GET /healthz": { url: () => "/healthz", expect: everyone("200") },
  "GET /readyz": { url: () => "/readyz", expect: everyone("200") },
  // Prometheus: only to BOTDESK_METRICS_TOKEN as a bearer token, never to a session cookie.
  "GET /metrics": { url: () => "/metrics", expect: everyone("401") },
  // The CA agents trust (made when the server started): public.
  "GET /agent-ca.pem": { url: () => "/agent-ca.pem", expect: everyone("200") },
  // demo:traffic's way to an API key with a session: a body that is not JSON is refused before anything is made.
  "POST /settings/api-keys": { url: () => "/settings/api-keys", method: "POST", expect: SIGNED_IN_ONLY("415", "401") },
};
// Paths under /api and /agent that are no route (outside /api/v1, whose catch-alls are in
// bearer-matrix.spec.ts; /agent has no routes at all: agents speak ngrok's protocol to the agent listener): JSON 404 whoever asks.
for (const [pattern, path] of [["/api/[[...path]]", "/api/no-such-route"], ["/agent/[[...path]]", "/agent/sessions"]] as const) {
  for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) ENTRIES[`${method} ${pattern}`] = { url: () => path, method, expect: everyone("404") };
}

const BEARER_PREFIXES = ["/api/v1"];
const isBearerRoute = (key: string) => BEARER_PREFIXES.some((p) => key.split(" ")[1]!.startsWith(p));

test.afterAll(closeDatabase);

test("every page and cookie route answers each principal exactly, and another account's ids like missing ones", async ({ request }) => {
  test.setTimeout(120_000);
  const inventory = [...pages(), ...routeHandlers().filter((r) => !isBearerRoute(r))].sort();
  expect(inventory.filter((k) => !ENTRIES[k]), "pages or routes without a matrix entry").toEqual([]);
  const stale = Object.keys(ENTRIES).filter((k) => !inventory.includes(k));
  if (stale.length > 0) console.warn(`[matrix] entries for pages or routes the app does not have: ${stale.join(", ")}`);

  const fixture: Fixture = await createFixture();
  const botId = await insertBot(fixture.accountA);
  const eventId = newId("event");
  await sql`INSERT INTO events (id, account_id, type, principal_id, source, subject_id, subject_name, subject_kind, bot_id)
    VALUES (${eventId}, ${fixture.accountA}, 'bot.created', ${fixture.people.owner.id}, 'dashboard', ${botId}, 'matrix-bot', 'bot', ${botId})`;
  const ids: Ids = { botId, eventId };
  const missing: Ids = { botId: newId("bot"), eventId: newId("event") };
  // The signed-out principal's cookie is minted for its session, which then ends (a sign-out elsewhere).
  const signedOutCookie = await sessionCookie(fixture, "signedOut");
  await sql`UPDATE principals SET session_version = session_version + 1 WHERE id = ${fixture.people.signedOut.id}`;
  const cookieOf = async (who: CookiePrincipal) => (who === "signedOut" ? signedOutCookie : sessionCookie(fixture, who));

  const answer = async (entry: Entry, target: Ids, cookie: string | null) => {
    const res = await request.fetch(entry.url(target), { method: entry.method ?? "GET", headers: cookie ? { Cookie: cookie } : {}, maxRedirects: 0 });
    const location = res.headers()["location"]?.replace(/^http:\/\/localhost:\d+/, "");
    return { line: location ? `${res.status()} ${location}` : String(res.status()), body: await res.text() };
  };

  const mismatches: string[] = [];
  let cells = 0;
  for (const key of inventory) {
    const entry = ENTRIES[key]!;
    for (const who of COOKIE_PRINCIPALS) {
      const before = await digest();
      const got = await answer(entry, ids, await cookieOf(who));
      cells++;
      if (got.line !== entry.expect[who]) mismatches.push(`${key} as ${who}: ${got.line} (expected ${entry.expect[who]})`);
      if ((await digest()) !== before && !(entry.changes ?? []).includes(who)) mismatches.push(`${key} as ${who}: changed the database`);
      if (who === "otherAdmin" && entry.foreignIds) {
        const other = await answer(entry, missing, await cookieOf(who));
        const strip = (body: string, t: Ids) => body.replaceAll(t.botId, "<id>").replaceAll(t.eventId, "<id>").replace(/nonce="[^"]*"|"nonce":"[^"]*"/g, "").replace(/\$\$?[A-Za-z0-9]{1,8}\b/g, "");
        if (other.line !== got.line) mismatches.push(`${key}: another account's ids ${got.line}, ids that do not exist ${other.line}`);
        else if (!strip(got.body, ids).includes("could not be found") && !/not found/i.test(strip(got.body, ids))) mismatches.push(`${key}: another account's id not answered "not found"`);
      }
    }
  }
  console.log(`[matrix] ${inventory.length} pages and cookie routes × ${COOKIE_PRINCIPALS.length} principals = ${cells} cells`);
  expect(mismatches).toEqual([]);
});
