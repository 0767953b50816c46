import { readFileSync } from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import fc from "fast-check";
import { sshKeygen } from "../../lib/test-support/ssh-keys";
import { body, bodyText, FEW_RUNS, query, urlString, type Body } from "./arbitraries";
import { bearerSecrets, closeDatabase, createFixture, digest, insertBot, sessionCookie } from "./fixture";
import { callAction } from "./http";
import { routeHandlers, serverActions } from "./inventory";
import { expectNoStackTracesPerTest } from "./server-log";

/**
 * Bad input for every route handler fuzz.spec.ts does not already cover: the
 * REST API's other writes, every list's query string, item routes with ids that
 * are not ids, unknown paths (under /api and /agent, which has no routes), and the cookie
 * routes (activity export, new-event count, session end, Auth.js). Each case is
 * answered below 500, and a refused case changes nothing. Routes whose file
 * answers a method with `notAllowed` (a fixed 405, pinned by the bearer matrix)
 * take no input; every other route in app/ must be fuzzed here or there.
 */

const ID_COLLECTIONS = ["bot_users", "service_users", "credentials", "api_keys", "ssh_credentials", "reserved_domains", "event_destinations", "event_subscriptions"];
const LISTS = ["bot_users", "service_users", "credentials", "api_keys", "ssh_credentials", "reserved_domains", "event_destinations", "event_subscriptions", "tunnel_sessions", "endpoints", "events", "usage"];
const EVENT_KEYS = ["principal", "bot", "credential", "type", "category", "source", "range", "from", "to", "before", "after", "limit"];
/**
 * Routes left out on purpose (none today). Auth.js (next-auth 5.0.0-beta.32) answers a `callbackUrl`
 * that is not a URL with a 500; its route (app/api/auth/[...nextauth]/route.ts) answers those 400
 * first, and both its GET and POST endpoints are fuzzed with that parameter below.
 */
const KNOWN_GAPS: string[] = [];
/** Fuzzed by fuzz.spec.ts. */
const FUZZED_ELSEWHERE = ["POST /api/v1/bot_users", "PATCH /api/v1/bot_users/[id]", "POST /api/v1/credentials", "PATCH /api/v1/credentials/[id]", "POST /api/v1/api_keys", "POST /api/v1/ssh_credentials"];

/** `PUT /api/v1/api_keys/[id]` answered by the route file's `notAllowed` (a fixed 405 that reads nothing). */
function isFixed405(key: string): boolean {
  const [method, pattern] = key.split(" ") as [string, string];
  if (!/^\/api\/v1\//.test(pattern)) return false;
  const source = readFileSync(`app${pattern}/route.ts`, "utf8");
  return new RegExp(`export const ${method} = notAllowed;`).test(source);
}

test.afterAll(closeDatabase);

// Never a stack trace in the server's log while each test runs.
expectNoStackTracesPerTest();

test("every other route answers bad input below 500 and changes nothing when it refuses", async ({ request }) => {
  test.setTimeout(240_000);
  const fixture = await createFixture();
  const apiKey = (await bearerSecrets(fixture, "api_key")).admin!;
  const memberCookie = (await sessionCookie(fixture, "member"))!;
  const botId = await insertBot(fixture.accountA);
  const auth = (path: string): Record<string, string> => (path.startsWith("/api/v1") ? { Authorization: `Bearer ${apiKey}` } : { Cookie: memberCookie });
  const send = async (api: APIRequestContext, method: string, path: string, b: Body | null, headers: Record<string, string> = auth(path)) => {
    const type: Record<string, string> = b && !headers["Content-Type"] ? { "Content-Type": "application/json" } : {};
    const res = await api.fetch(path, { method, headers: { ...headers, ...type }, data: b ? bodyText(b) : undefined, maxRedirects: 0 });
    return { status: res.status(), text: method === "HEAD" ? "" : await res.text() };
  };
  const json = async (method: string, path: string, data: unknown) => {
    const res = await send(request, method, path, { json: data });
    expect(res.status, `${method} ${path}: ${res.text.slice(0, 200)}`).toBeLessThan(300);
    return JSON.parse(res.text) as { id: string };
  };
  // Targets of the item routes: a service user, an API key, an SSH key.
  const serviceUser = await json("POST", "/api/v1/service_users", { name: `fuzz-service-${Date.now()}` });
  const key = await json("POST", "/api/v1/api_keys", { owner_id: botId, description: "fuzz" });
  const sshKey = await json("POST", "/api/v1/ssh_credentials", { owner_id: botId, public_key: sshKeygen("ed25519").publicKey });
  const domain = await json("POST", "/api/v1/reserved_domains", { domain: `fuzz-${Date.now().toString(36)}.example.com`, description: "fuzz" });
  const destination = await json("POST", "/api/v1/event_destinations", { format: "json", target: { webhook: { url: "https://203.0.113.10/fuzz" } } });
  const subscription = await json("POST", "/api/v1/event_subscriptions", { sources: [{ type: "bot_user_created.v0" }], destination_ids: [destination.id] });

  interface Property {
    /** The inventory keys this property covers. */
    covers: string[];
    cases: fc.Arbitrary<{ method: string; path: string; body: Body | null; headers?: Record<string, string> }>;
  }
  // A lone surrogate cannot be percent-encoded: it goes as U+FFFD, as a browser sends it.
  const enc = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"));
  const props: Property[] = [
    { covers: ["POST /api/v1/service_users"], cases: body(["name", "active"]).map((b) => ({ method: "POST", path: "/api/v1/service_users", body: b })) },
    { covers: ["PATCH /api/v1/service_users/[id]"], cases: body(["name", "active"]).map((b) => ({ method: "PATCH", path: `/api/v1/service_users/${serviceUser.id}`, body: b })) },
    { covers: ["PATCH /api/v1/api_keys/[id]"], cases: body(["description", "metadata", "acl"]).map((b) => ({ method: "PATCH", path: `/api/v1/api_keys/${key.id}`, body: b })) },
    {
      // Names of every shape (the domain field is a DNS name or refused), ngrok's certificate fields, any region.
      covers: ["POST /api/v1/reserved_domains"],
      cases: body(["domain", "description", "metadata", "region", "certificate_id", "certificate_management_policy"]).map((b) => ({ method: "POST", path: "/api/v1/reserved_domains", body: b })),
    },
    { covers: ["PATCH /api/v1/reserved_domains/[id]"], cases: body(["description", "metadata", "domain", "certificate_id"]).map((b) => ({ method: "PATCH", path: `/api/v1/reserved_domains/${domain.id}`, body: b })) },
    {
      // Event streams: targets of every shape (ngrok's unsupported ones too), sources and destination ids that are not.
      covers: ["POST /api/v1/event_destinations"],
      cases: body(["format", "target", "description", "metadata"]).map((b) => ({ method: "POST", path: "/api/v1/event_destinations", body: b })),
    },
    { covers: ["POST /api/v1/event_subscriptions"], cases: body(["sources", "destination_ids", "description", "metadata"]).map((b) => ({ method: "POST", path: "/api/v1/event_subscriptions", body: b })) },
    {
      covers: ["PATCH /api/v1/event_destinations/[id]", "PATCH /api/v1/event_subscriptions/[id]"],
      cases: fc.tuple(fc.constantFrom(`/api/v1/event_destinations/${destination.id}`, `/api/v1/event_subscriptions/${subscription.id}`), body(["target", "format", "sources", "destination_ids", "description"]))
        .map(([path, b]) => ({ method: "PATCH", path, body: b })),
    },
    {
      covers: [
        "GET /api/v1/event_subscriptions/[id]/sources",
        "POST /api/v1/event_subscriptions/[id]/sources",
        "GET /api/v1/event_subscriptions/[id]/sources/[type]",
        "PATCH /api/v1/event_subscriptions/[id]/sources/[type]",
        "DELETE /api/v1/event_subscriptions/[id]/sources/[type]",
      ],
      cases: fc.tuple(fc.constantFrom("GET", "POST", "GET type", "PATCH type", "DELETE type"), fc.constantFrom(subscription.id, "x"), urlString, body(["type", "subscription_id"]))
        .map(([m, id, type, b]) => {
          const [method, sub] = m.split(" ") as [string, string | undefined];
          return { method, path: `/api/v1/event_subscriptions/${id}/sources${sub ? `/${enc(type) || "%20"}` : ""}`, body: method === "GET" ? null : b };
        }),
    },
    { covers: ["PATCH /api/v1/ssh_credentials/[id]"], cases: body(["description", "metadata", "acl"]).map((b) => ({ method: "PATCH", path: `/api/v1/ssh_credentials/${sshKey.id}`, body: b })) },
    {
      covers: [...LISTS.map((l) => `GET /api/v1/${l}`), "GET /api/v1/openapi.json", "GET /api/health", "GET /healthz", "GET /readyz", "GET /metrics", "GET /agent-ca.pem"],
      cases: fc.tuple(fc.constantFrom(...LISTS.map((l) => `/api/v1/${l}`), "/api/v1/openapi.json", "/api/health", "/healthz", "/readyz", "/metrics", "/agent-ca.pem"), query(["before_id", "beforeId", "limit", "principal_id", ...EVENT_KEYS]))
        .map(([path, q]) => ({ method: "GET", path: `${path}?${q}`, body: null })),
    },
    {
      covers: [
        ...ID_COLLECTIONS.flatMap((c) => ["GET", "PATCH", "DELETE"].map((m) => `${m} /api/v1/${c}/[id]`)),
        "GET /api/v1/events/[id]", "GET /api/v1/tunnel_sessions/[id]", "GET /api/v1/endpoints/[id]",
      ],
      cases: fc.tuple(fc.constantFrom(...ID_COLLECTIONS.flatMap((c) => ["GET", "PATCH", "DELETE"].map((m) => `${m} ${c}`)), "GET events", "GET tunnel_sessions", "GET endpoints"), urlString, body(["name", "description"]))
        .map(([mc, id, b]) => {
          const [method, c] = mc.split(" ") as [string, string];
          return { method, path: `/api/v1/${c}/${enc(id) || "%20"}`, body: method === "PATCH" ? b : null };
        }),
    },
    {
      covers: ["POST /api/v1/tunnel_sessions/[id]/stop"],
      cases: fc.tuple(urlString, body(["id"])).map(([id, b]) => ({ method: "POST", path: `/api/v1/tunnel_sessions/${enc(id) || "%20"}/stop`, body: b })),
    },
    {
      covers: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].flatMap((m) =>
        [`${m} /api/v1`, `${m} /api/v1/[...path]`, `${m} /api/[[...path]]`, `${m} /agent/[[...path]]`]),
      cases: fc.tuple(fc.constantFrom("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"), fc.constantFrom("/api/v1", "/api", "/agent", "/agent/sessions"), fc.array(urlString, { maxLength: 3 }), body(["name"]))
        .map(([method, root, parts, b]) => ({ method, path: `${root}${parts.map((p) => `/${enc(p)}`).join("")}`, body: method === "GET" || method === "HEAD" ? null : b })),
    },
    {
      covers: ["GET /activity/export", "GET /activity/new-count", "GET /activity/principals", "GET /session/end"],
      cases: fc.tuple(fc.constantFrom("/activity/export", "/activity/new-count", "/activity/principals", "/session/end"), query(["format", "since", "reason", "q", ...EVENT_KEYS]), fc.boolean())
        .map(([path, q, signedIn]) => ({ method: "GET", path: `${path}?${q}`, body: null, headers: signedIn ? { Cookie: memberCookie } : {} })),
    },
    {
      // demo:traffic's way to an API key with a session: anything, signed in or not, with JSON or not.
      covers: ["POST /settings/api-keys"],
      cases: fc.tuple(body(["description", "owner_id", "kind"]), fc.boolean(), fc.boolean())
        .map(([b, signedIn, asJson]) => ({
          method: "POST",
          path: "/settings/api-keys",
          body: b,
          headers: { ...(signedIn ? { Cookie: memberCookie } : {}), ...(asJson ? {} : { "Content-Type": "text/plain" }) },
        })),
    },
    {
      covers: ["GET /api/auth/[...nextauth]"],
      cases: fc.tuple(fc.constantFrom("session", "csrf", "providers", "signin", "signout", "callback/credentials", "callback/oidc", "error"), fc.option(urlString), query(["error", "csrfToken", "email", "password", "callbackUrl"]))
        .map(([action, extra, q]) => ({ method: "GET", path: `/api/auth/${action}${extra === null ? "" : `/${enc(extra)}`}?${q}`, body: null, headers: {} })),
    },
    {
      // Auth.js's POST endpoints with a form body (as a browser posts them) or anything else, and a callbackUrl anywhere.
      covers: ["POST /api/auth/[...nextauth]"],
      cases: fc.tuple(fc.constantFrom("signin/credentials", "callback/credentials", "signout", "session", "signin/oidc"), query(["callbackUrl"]), query(["csrfToken", "email", "password", "callbackUrl", "redirect"]), body(["callbackUrl", "csrfToken"]), fc.boolean())
        .map(([action, q, form, b, asForm]) => ({
          method: "POST",
          path: `/api/auth/${action}?${q}`,
          body: asForm ? { raw: form } : b,
          headers: asForm ? { "Content-Type": "application/x-www-form-urlencoded" } : {},
        })),
    },
  ];

  const inventory = routeHandlers();
  const covered = new Set([...FUZZED_ELSEWHERE, ...KNOWN_GAPS, ...props.flatMap((p) => p.covers)]);
  expect(inventory.filter((k) => !covered.has(k) && !isFixed405(k)), "routes no fuzz covers").toEqual([]);

  const problems: string[] = [];
  let cases = 0;
  for (const prop of props) {
    await fc.assert(
      fc.asyncProperty(prop.cases, async (c) => {
        cases++;
        const before = await digest();
        const res = await send(request, c.method, c.path, c.body, c.headers);
        const shown = `${c.method} ${c.path.slice(0, 120)} ${c.body ? bodyText(c.body).slice(0, 100) : ""}`;
        if (res.status >= 500) problems.push(`${shown}: ${res.status} ${res.text.slice(0, 200)}`);
        else if (res.status >= 400 && (await digest()) !== before) problems.push(`${shown}: refused ${res.status} but changed the database`);
        return true;
      }),
      { numRuns: FEW_RUNS * Math.max(1, Math.ceil(prop.covers.length / 4)) },
    );
  }
  console.log(`[fuzz] ${covered.size - KNOWN_GAPS.length} routes fuzzed (${props.length} properties here), ${cases} cases`);
  expect(problems).toEqual([]);
});

test("a path whose percent-encoding does not decode is a page that does not exist, never a 500", async ({ request }) => {
  const fixture = await createFixture();
  const memberCookie = (await sessionCookie(fixture, "member"))!;
  const BAD = ["%FF", "%zz", "%C0%80", "%E0%A4%A", "%", "a%2", "%ED%A0%80"];
  // The APIs: their JSON 404, whatever the method and whoever asks.
  const api = ["/api/v1/bot_users/", "/api/v1/credentials/", "/api/", "/api/v1/", "/agent/sessions/", "/agent/", "/api/auth/", "/api/v1/bot_users/x/"];
  const problems: string[] = [];
  for (const prefix of api) {
    for (const bad of BAD) {
      for (const method of ["GET", "PATCH", "DELETE"]) {
        const res = await request.fetch(`${prefix}${bad}`, { method, headers: { Cookie: memberCookie }, maxRedirects: 0 });
        const body = await res.text();
        if (res.status() !== 404 || !res.headers()["content-type"]?.startsWith("application/json") || !body.includes('"ERR_BOTDESK_404"')) {
          problems.push(`${method} ${prefix}${bad}: ${res.status()} ${res.headers()["content-type"]} ${body.slice(0, 100)}`);
        }
      }
    }
  }
  // The dashboard: the app's own not-found page, signed in or not; a NUL byte in an id never reaches PostgreSQL.
  const pages = ["/users/bots/", "/activity/", "/", "/users/"];
  for (const prefix of pages) {
    for (const bad of [...BAD, "%00", "bot_%00"]) {
      for (const cookie of [memberCookie, null]) {
        const res = await request.get(`${prefix}${bad}`, { headers: cookie ? { Cookie: cookie } : {}, maxRedirects: 0 });
        const body = await res.text();
        // Signed out, a page that exists (a bot's page, whatever its id) sends to the sign-in page first.
        const ok = res.status() === 404 ? body.includes("Page not found") : res.status() === 307 && !cookie && /^\/(users\/bots|activity)\/$/.test(prefix);
        if (!ok) problems.push(`GET ${prefix}${bad} ${cookie ? "signed in" : "signed out"}: ${res.status()} ${body.slice(0, 100)}`);
      }
    }
  }
  expect(problems).toEqual([]);
});

test("a server action called with arguments that are not its form answers below 500", async ({ request }) => {
  // 858 calls, each with a fresh session (a sign-in): under a loaded machine it went past the default 30 s.
  test.setTimeout(180_000);
  const fixture = await createFixture();
  // Whatever a caller can send instead of FormData (or of the object an action takes).
  const WRONG: unknown[][] = [[], ["text"], [null, "text"], [null, null], [null, 42], [null, { get: "x" }], [null, ["a"]], [{}, {}], [null, { has: 1, getAll: [] }], [[1, 2]], [true]];
  const problems: string[] = [];
  let calls = 0;
  for (const action of serverActions()) {
    for (const args of WRONG) {
      // A fresh cookie each call: the sign-out action ends the one before.
      for (const who of ["member", "admin"] as const) {
        const answer = await callAction(request, action, args, await sessionCookie(fixture, who));
        calls++;
        if (answer.status >= 500) problems.push(`${action.key}(${JSON.stringify(args)}) as ${who}: ${answer.status} ${answer.raw.slice(0, 200)}`);
      }
    }
  }
  console.log(`[fuzz] ${calls} server action calls with wrong arguments`);
  expect(problems).toEqual([]);
});
