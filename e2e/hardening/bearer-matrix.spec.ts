import { expect, test } from "@playwright/test";
import { newId } from "../../lib/ids";
import { bearerSecrets, BEARER_PRINCIPALS, type BearerPrincipal, closeDatabase, createFixture, digest, type Fixture, insertBot, insertCredential, insertEventStream, insertReservedDomain, sql } from "./fixture";
import { routeHandlers } from "./inventory";

/**
 * The authorization matrix of the REST API (/api/v1, API keys): every route
 * handler and method in app/ × every bearer principal, with the exact status and
 * error code, the database unchanged for every refused request, and another
 * account's ids answered exactly like ids that do not exist. (Agents have no HTTP
 * routes: they speak ngrok's protocol to the agent listener. /agent's JSON
 * catch-all is in page-matrix.spec.ts.)
 */

interface Targets {
  botId: string;
  credentialId: string;
  apiKeyId: string;
  eventId: string;
  domainId: string;
  destinationId: string;
  subscriptionId: string;
}

interface Entry {
  path: (t: Targets) => string;
  body?: () => unknown;
  /** `<status>` or `<status>:<error_code>` per principal. */
  expect: Record<BearerPrincipal, string>;
  foreignIds?: boolean;
}

type Answers = Record<BearerPrincipal, string>;
const all = (answer: string): Answers => Object.fromEntries(BEARER_PRINCIPALS.map((p) => [p, answer])) as Answers;
/** A valid credential of a live principal gets `ok`, the rest their refusal. */
const authed = (ok: Partial<Answers> & { member: string; admin: string; owner: string; otherAdmin: string; bot: string }): Answers => ({
  none: "401:ERR_BOTDESK_100",
  deactivatedBot: "403:ERR_NGROK_636",
  expired: "401:ERR_BOTDESK_301",
  revoked: "401:ERR_NGROK_300",
  ...ok,
});
const everyKey = (answer: string) => authed({ member: answer, admin: answer, owner: answer, otherAdmin: answer, bot: answer });
/** Readable by everyone in the account; another account's admin is told 404. */
const readable = () => authed({ member: "200", admin: "200", owner: "200", otherAdmin: "404:ERR_BOTDESK_404", bot: "200" });
/** Admins' and owners' change; members and bots refused with 403; another account's admin 404. */
const adminChange = (status: string, refusedByRole = "403:ERR_NGROK_4111") =>
  authed({ member: refusedByRole, admin: status, owner: status, otherAdmin: "404:ERR_BOTDESK_404", bot: refusedByRole });

const NOT_ALLOWED = all("405:ERR_BOTDESK_405");
const NO_ROUTE = all("404:ERR_BOTDESK_404");
const unique = () => Math.random().toString(36).slice(2, 10);

const ENTRIES: Record<string, Entry> = {};
const add = (key: string, entry: Entry) => (ENTRIES[key] = entry);
const notAllowed = (pattern: string, methods: string[], path: (t: Targets) => string) => methods.forEach((m) => add(`${m} ${pattern}`, { path, expect: NOT_ALLOWED }));

// Unknown paths: 404 whoever asks (before any key is read).
for (const root of ["/api/v1", "/api/v1/[...path]"]) {
  const path = () => root.replace("[...path]", `no-such-route-${unique()}`);
  for (const m of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) add(`${m} ${root}`, { path, expect: NO_ROUTE });
  add(`HEAD ${root}`, { path, expect: all("404") });
}
add("GET /api/v1/openapi.json", { path: () => "/api/v1/openapi.json", expect: all("200") });

// Collections and items of the REST API.
for (const c of ["bot_users", "service_users"]) {
  add(`GET /api/v1/${c}`, { path: () => `/api/v1/${c}`, expect: everyKey("200") });
  add(`POST /api/v1/${c}`, { path: () => `/api/v1/${c}`, body: () => ({ name: `matrix-${unique()}` }), expect: authed({ member: "403:ERR_NGROK_4111", admin: "201", owner: "201", otherAdmin: "201", bot: "403:ERR_NGROK_4111" }) });
  notAllowed(`/api/v1/${c}`, ["PUT", "PATCH", "DELETE"], () => `/api/v1/${c}`);
  const item = (t: Targets) => `/api/v1/${c}/${t.botId}`;
  add(`GET /api/v1/${c}/[id]`, { path: item, expect: readable(), foreignIds: true });
  add(`PATCH /api/v1/${c}/[id]`, { path: item, body: () => ({ name: `matrix-${unique()}` }), expect: adminChange("200"), foreignIds: true });
  add(`DELETE /api/v1/${c}/[id]`, { path: item, expect: adminChange("204"), foreignIds: true });
  notAllowed(`/api/v1/${c}/[id]`, ["POST", "PUT"], item);
}
for (const [c, id] of [["credentials", (t: Targets) => t.credentialId], ["api_keys", (t: Targets) => t.apiKeyId]] as const) {
  add(`GET /api/v1/${c}`, { path: () => `/api/v1/${c}`, expect: everyKey("200") });
  add(`POST /api/v1/${c}`, { path: () => `/api/v1/${c}`, body: () => ({ description: "matrix" }), expect: everyKey("201") });
  notAllowed(`/api/v1/${c}`, ["PUT", "PATCH", "DELETE"], () => `/api/v1/${c}`);
  const item = (t: Targets) => `/api/v1/${c}/${id(t)}`;
  add(`GET /api/v1/${c}/[id]`, { path: item, expect: readable(), foreignIds: true });
  // A bot's credential: members and other bots may read it but not change it (told 404, like anyone else's).
  add(`PATCH /api/v1/${c}/[id]`, { path: item, body: () => ({ description: `matrix ${unique()}` }), expect: adminChange("200", "404:ERR_BOTDESK_404"), foreignIds: true });
  add(`DELETE /api/v1/${c}/[id]`, { path: item, expect: adminChange("204", "404:ERR_BOTDESK_404"), foreignIds: true });
  notAllowed(`/api/v1/${c}/[id]`, ["POST", "PUT"], item);
}
{
  add("GET /api/v1/ssh_credentials", { path: () => "/api/v1/ssh_credentials", expect: everyKey("200") });
  add("POST /api/v1/ssh_credentials", { path: () => "/api/v1/ssh_credentials", body: () => ({ public_key: "not a key" }), expect: everyKey("400:ERR_BOTDESK_400") });
  notAllowed("/api/v1/ssh_credentials", ["PUT", "PATCH", "DELETE"], () => "/api/v1/ssh_credentials");
  // No SSH key exists in the fixture: an id of another kind is answered as unknown.
  const item = (t: Targets) => `/api/v1/ssh_credentials/${t.credentialId}`;
  for (const m of ["GET", "PATCH", "DELETE"]) add(`${m} /api/v1/ssh_credentials/[id]`, { path: item, body: m === "PATCH" ? () => ({ description: "x" }) : undefined, expect: everyKey("404:ERR_BOTDESK_404") });
  notAllowed("/api/v1/ssh_credentials/[id]", ["POST", "PUT"], item);
}
for (const c of ["events", "tunnel_sessions"]) {
  add(`GET /api/v1/${c}`, { path: () => `/api/v1/${c}`, expect: everyKey("200") });
  notAllowed(`/api/v1/${c}`, ["POST", "PUT", "PATCH", "DELETE"], () => `/api/v1/${c}`);
  const item = (t: Targets) => `/api/v1/${c}/${c === "events" ? t.eventId : newId("tunnelSession")}`;
  add(`GET /api/v1/${c}/[id]`, { path: item, expect: c === "events" ? readable() : everyKey("404:ERR_BOTDESK_404"), foreignIds: c === "events" });
  notAllowed(`/api/v1/${c}/[id]`, ["POST", "PUT", "PATCH", "DELETE"], item);
}
{
  // ngrok's stop: no session exists in the fixture, so every key is told 404 (stopTunnelSession: an unknown id and one the key may not stop look alike).
  const stop = () => `/api/v1/tunnel_sessions/${newId("tunnelSession")}/stop`;
  add("POST /api/v1/tunnel_sessions/[id]/stop", { path: stop, expect: everyKey("404:ERR_BOTDESK_404") });
  notAllowed("/api/v1/tunnel_sessions/[id]/stop", ["GET", "PUT", "PATCH", "DELETE"], stop);
}
{
  // Reserved domains: everyone in the account reads them; owners and admins change them (members and bots 403).
  const notAdmin = "403:ERR_BOTDESK_4114";
  add("GET /api/v1/reserved_domains", { path: () => "/api/v1/reserved_domains", expect: everyKey("200") });
  add("POST /api/v1/reserved_domains", {
    path: () => "/api/v1/reserved_domains",
    body: () => ({ domain: `matrix-${unique()}.example.com` }),
    expect: authed({ member: notAdmin, admin: "201", owner: "201", otherAdmin: "201", bot: notAdmin }), // in their own account
  });
  notAllowed("/api/v1/reserved_domains", ["PUT", "PATCH", "DELETE"], () => "/api/v1/reserved_domains");
  const item = (t: Targets) => `/api/v1/reserved_domains/${t.domainId}`;
  add("GET /api/v1/reserved_domains/[id]", { path: item, expect: readable(), foreignIds: true });
  add("PATCH /api/v1/reserved_domains/[id]", { path: item, body: () => ({ description: `matrix ${unique()}` }), expect: adminChange("200", notAdmin), foreignIds: true });
  add("DELETE /api/v1/reserved_domains/[id]", { path: item, expect: adminChange("204", notAdmin), foreignIds: true });
  notAllowed("/api/v1/reserved_domains/[id]", ["POST", "PUT"], item);
  // Endpoints online: none in the fixture, so an endpoint id is unknown to everyone.
  add("GET /api/v1/endpoints", { path: () => "/api/v1/endpoints", expect: everyKey("200") });
  notAllowed("/api/v1/endpoints", ["POST", "PUT", "PATCH", "DELETE"], () => "/api/v1/endpoints");
  const endpoint = () => `/api/v1/endpoints/${newId("endpoint")}`;
  add("GET /api/v1/endpoints/[id]", { path: endpoint, expect: everyKey("404:ERR_BOTDESK_404") });
  notAllowed("/api/v1/endpoints/[id]", ["POST", "PUT", "PATCH", "DELETE"], endpoint);
}
{
  // Event streams: owners' and admins' only, reads included (members and bots 403 before any lookup).
  const notAdmin = "403:ERR_BOTDESK_4115";
  const managed = (status: string) => authed({ member: notAdmin, admin: status, owner: status, otherAdmin: status, bot: notAdmin });
  const webhook = () => ({ format: "json", target: { webhook: { url: `https://203.0.113.10/matrix-${unique()}` } } });
  add("GET /api/v1/event_destinations", { path: () => "/api/v1/event_destinations", expect: managed("200") });
  add("POST /api/v1/event_destinations", { path: () => "/api/v1/event_destinations", body: webhook, expect: managed("201") });
  notAllowed("/api/v1/event_destinations", ["PUT", "PATCH", "DELETE"], () => "/api/v1/event_destinations");
  const destination = (t: Targets) => `/api/v1/event_destinations/${t.destinationId}`;
  add("GET /api/v1/event_destinations/[id]", { path: destination, expect: adminChange("200", notAdmin), foreignIds: true });
  add("PATCH /api/v1/event_destinations/[id]", { path: destination, body: () => ({ description: `matrix ${unique()}` }), expect: adminChange("200", notAdmin), foreignIds: true });
  add("DELETE /api/v1/event_destinations/[id]", { path: destination, expect: adminChange("204", notAdmin), foreignIds: true });
  notAllowed("/api/v1/event_destinations/[id]", ["POST", "PUT"], destination);
  add("GET /api/v1/event_subscriptions", { path: () => "/api/v1/event_subscriptions", expect: managed("200") });
  add("POST /api/v1/event_subscriptions", { path: () => "/api/v1/event_subscriptions", body: () => ({ sources: [{ type: "bot_user_created.v0" }], destination_ids: [] }), expect: managed("201") });
  notAllowed("/api/v1/event_subscriptions", ["PUT", "PATCH", "DELETE"], () => "/api/v1/event_subscriptions");
  const subscription = (t: Targets) => `/api/v1/event_subscriptions/${t.subscriptionId}`;
  add("GET /api/v1/event_subscriptions/[id]", { path: subscription, expect: adminChange("200", notAdmin), foreignIds: true });
  add("PATCH /api/v1/event_subscriptions/[id]", { path: subscription, body: () => ({ description: `matrix ${unique()}` }), expect: adminChange("200", notAdmin), foreignIds: true });
  add("DELETE /api/v1/event_subscriptions/[id]", { path: subscription, expect: adminChange("204", notAdmin), foreignIds: true });
  notAllowed("/api/v1/event_subscriptions/[id]", ["POST", "PUT"], subscription);
  const sources = (t: Targets) => `${subscription(t)}/sources`;
  add("GET /api/v1/event_subscriptions/[id]/sources", { path: sources, expect: adminChange("200", notAdmin), foreignIds: true });
  add("POST /api/v1/event_subscriptions/[id]/sources", { path: sources, body: () => ({ type: "bot_user_deleted.v0" }), expect: adminChange("201", notAdmin), foreignIds: true });
  notAllowed("/api/v1/event_subscriptions/[id]/sources", ["PUT", "PATCH", "DELETE"], sources);
  const source = (t: Targets) => `${sources(t)}/bot_user_created.v0`;
  add("GET /api/v1/event_subscriptions/[id]/sources/[type]", { path: source, expect: adminChange("200", notAdmin), foreignIds: true });
  add("PATCH /api/v1/event_subscriptions/[id]/sources/[type]", { path: source, body: () => ({}), expect: adminChange("200", notAdmin), foreignIds: true });
  add("DELETE /api/v1/event_subscriptions/[id]/sources/[type]", { path: source, expect: adminChange("204", notAdmin), foreignIds: true });
  notAllowed("/api/v1/event_subscriptions/[id]/sources/[type]", ["POST", "PUT"], source);
}
add("GET /api/v1/usage", { path: () => "/api/v1/usage", expect: everyKey("200") });
notAllowed("/api/v1/usage", ["POST", "PUT", "PATCH", "DELETE"], () => "/api/v1/usage");

const isBearerRoute = (key: string) => / \/api\/v1(\/|$)/.test(key);

async function freshTargets(f: Fixture): Promise<Targets> {
  const botId = await insertBot(f.accountA);
  const apiKeyId = newId("apiKey");
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, secret_hash, secret_hint) VALUES (${apiKeyId}, ${f.accountA}, 'api_key', ${botId}, ${unique()}, 'abcd')`;
  const eventId = newId("event");
  await sql`INSERT INTO events (id, account_id, type, principal_id, source, subject_id, subject_name, subject_kind, bot_id)
    VALUES (${eventId}, ${f.accountA}, 'bot.created', ${f.people.owner.id}, 'dashboard', ${botId}, 'matrix-bot', 'bot', ${botId})`;
  const stream = await insertEventStream(f.accountA);
  return { botId, credentialId: await insertCredential(f.accountA, botId), apiKeyId, eventId, domainId: await insertReservedDomain(f.accountA), ...stream };
}
const missingTargets = (): Targets => ({
  botId: newId("bot"),
  credentialId: newId("authtoken"),
  apiKeyId: newId("apiKey"),
  eventId: newId("event"),
  domainId: newId("reservedDomain"),
  destinationId: newId("eventDestination"),
  subscriptionId: newId("eventSubscription"),
});

test.afterAll(closeDatabase);

test("every REST route answers each key exactly, changes nothing when it refuses, and hides other accounts", async ({ request }) => {
  // About 1,300 cells (every route × method × key); under a loaded 2-core machine it has taken over 3 minutes.
  test.setTimeout(360_000);
  const inventory = routeHandlers().filter(isBearerRoute);
  expect(inventory.filter((k) => !ENTRIES[k]), "REST routes without a matrix entry").toEqual([]);
  const stale = Object.keys(ENTRIES).filter((k) => !inventory.includes(k));
  if (stale.length > 0) console.warn(`[matrix] entries for routes the app does not have: ${stale.join(", ")}`);

  const fixture = await createFixture();
  const keys = await bearerSecrets(fixture, "api_key");
  const answer = async (method: string, entry: Entry, targets: Targets, secret: string | null) => {
    const body = entry.body?.();
    const res = await request.fetch(entry.path(targets), {
      method,
      headers: { "Ngrok-Version": "2", ...(secret ? { Authorization: `Bearer ${secret}` } : {}), ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      data: body === undefined ? undefined : JSON.stringify(body),
      maxRedirects: 0,
    });
    const text = method === "HEAD" ? "" : await res.text();
    const code = /"error_code":"([A-Z_0-9]+)"/.exec(text)?.[1];
    return { line: code ? `${res.status()}:${code}` : String(res.status()), status: res.status(), text };
  };

  const mismatches: string[] = [];
  let cells = 0;
  for (const key of inventory) {
    const entry = ENTRIES[key]!;
    const method = key.split(" ")[0]!;
    for (const who of BEARER_PRINCIPALS) {
      const targets = await freshTargets(fixture);
      const before = await digest();
      const got = await answer(method, entry, targets, keys[who]);
      cells++;
      if (got.line !== entry.expect[who]) mismatches.push(`${key} as ${who}: ${got.line} (expected ${entry.expect[who]}) ${got.text.slice(0, 160)}`);
      if (got.status >= 400 && (await digest()) !== before) mismatches.push(`${key} as ${who}: refused (${got.line}) but changed the database`);
      if (who === "otherAdmin" && entry.foreignIds) {
        const missing = missingTargets();
        const other = await answer(method, entry, missing, keys[who]);
        const strip = (text: string, t: Targets) => Object.values(t).reduce((s, id) => s.replaceAll(id, "<id>"), text).replace(/"(operation_id|request_id)":"[^"]*"/g, "");
        if (other.line !== got.line || strip(other.text, missing) !== strip(got.text, targets)) {
          mismatches.push(`${key}: another account's ids answered ${got.line} ${strip(got.text, targets)}, ids that do not exist ${other.line} ${strip(other.text, missing)}`);
        }
      }
    }
  }
  console.log(`[matrix] ${inventory.length} REST routes × ${BEARER_PRINCIPALS.length} principals = ${cells} cells`);
  expect(mismatches).toEqual([]);
});
