import { expect, test, type APIRequestContext } from "@playwright/test";
import fc from "fast-check";
import { bearerSecrets, closeDatabase, createFixture, digest, insertBot, insertCredential } from "./fixture";
import { callAction, Form } from "./http";
import { serverActions } from "./inventory";

/**
 * Fast bad-input fuzzing (fast-check) of the REST API's write routes and the
 * sign-in form, against the production server: malformed and wrongly typed
 * bodies, 1 MB values, NUL and control characters, lone surrogates, bidi and
 * zero-width characters, SQL and HTML injection. Every case is answered with a
 * 4xx or a field error (never a 5xx), and a refused case changes nothing.
 * HARDENING_RUNS sets the runs per property (npm test: 40 each).
 */

const RUNS = Number(process.env.HARDENING_RUNS ?? 40);

const NASTY = [
  "", " ", "\u0000", "a\u0000b", "\u0001\u0007\u001b[31m", "\r\n\t", "\ud800", "x\udfffy", "\u202eevil\u202c", "\u200b\u200d\ufeff",
  "'; DROP TABLE principals; --", "' OR '1'='1", "\\x00", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "${7*7}{{7*7}}",
  "../../etc/passwd", "%00", "😀".repeat(100), "a".repeat(70_000), "b".repeat(1_000_000), "null", "[]", "{}",
];

const nastyString = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: fc.constantFrom("\u0000", "\u202e", "\u200b", "\ud800", "'", "<", ">", "\"", "\\", "a", "-", ";"), maxLength: 80 }),
);
/** Anything JSON can carry, nasty strings included, where a string is expected. */
const wrongValue = fc.oneof(nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nastyString, { maxLength: 3 }), fc.dictionary(nastyString, nastyString, { maxKeys: 3 }));
const body = (fields: string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.record(Object.fromEntries(fields.map((f) => [f, wrongValue])), { requiredKeys: [] }).map((b) => ({ json: b })) },
    { weight: 1, arbitrary: fc.jsonValue().map((b) => ({ json: b })) },
    { weight: 1, arbitrary: fc.oneof(nastyString, fc.constantFrom("{", "{\"name\":", "[1,", "\u0000{}", "{\"a\":1}}")).map((raw) => ({ raw })) },
  );

type Body = { json: unknown } | { raw: string };

test.afterAll(closeDatabase);

test("the REST API's write routes answer bad input with a 4xx and change nothing", async ({ request }) => {
  test.setTimeout(180_000);
  const fixture = await createFixture();
  const keys = await bearerSecrets(fixture, "api_key");
  const secrets = [keys.admin!, keys.owner!];
  let n = 0;
  const send = async (api: APIRequestContext, method: string, path: string, b: Body) => {
    const data = "json" in b ? JSON.stringify(b.json) : b.raw;
    const res = await api.fetch(path, {
      method,
      headers: { Authorization: `Bearer ${secrets[n++ % secrets.length]}`, "Ngrok-Version": "2", "Content-Type": "application/json" },
      data: data ?? "",
    });
    return { status: res.status(), text: await res.text() };
  };
  const botId = await insertBot(fixture.accountA);
  const credentialId = await insertCredential(fixture.accountA, botId);
  const routes: [string, string, string[]][] = [
    ["POST", "/api/v1/bot_users", ["name", "active"]],
    ["PATCH", `/api/v1/bot_users/${botId}`, ["name", "active"]],
    ["POST", "/api/v1/credentials", ["description", "metadata", "acl", "owner_id", "expires_at"]],
    ["PATCH", `/api/v1/credentials/${credentialId}`, ["description", "metadata", "acl"]],
    ["POST", "/api/v1/api_keys", ["description", "metadata", "owner_id", "expires_at"]],
    ["POST", "/api/v1/ssh_credentials", ["public_key", "description", "metadata", "acl", "owner_id"]],
  ];
  const problems: string[] = [];
  for (const [method, path, fields] of routes) {
    await fc.assert(
      fc.asyncProperty(body(fields), async (b) => {
        const before = await digest();
        const res = await send(request, method, path, b);
        const shown = JSON.stringify(b).slice(0, 200);
        if (res.status >= 500) problems.push(`${method} ${path} ${shown}: ${res.status} ${res.text.slice(0, 200)}`);
        else if (res.status >= 400 && (await digest()) !== before) problems.push(`${method} ${path} ${shown}: refused ${res.status} but changed the database`);
        return true;
      }),
      { numRuns: RUNS },
    );
  }
  console.log(`[fuzz] ${routes.length} REST write routes × ${RUNS} cases`);
  expect(problems).toEqual([]);
});

test("the sign-in form answers bad input with a field error or its refusal, never a 5xx", async ({ request }) => {
  test.setTimeout(120_000);
  const signIn = serverActions().find((a) => a.key.endsWith("#signInAction"))!;
  const problems: string[] = [];
  const before = await digest();
  await fc.assert(
    fc.asyncProperty(nastyString, nastyString, async (login, password) => {
      const answer = await callAction(request, signIn, [null, new Form({ login, password })], null);
      const r = answer.result as { error?: string; fieldErrors?: Record<string, string> } | undefined;
      const shown = JSON.stringify([login.slice(0, 60), password.slice(0, 60)]);
      if (answer.status >= 500 || answer.redirect) problems.push(`${shown}: ${answer.status} ${answer.redirect ?? ""} ${answer.raw.slice(0, 200)}`);
      else if (!r || (!r.error && !Object.values(r.fieldErrors ?? {}).some(Boolean))) problems.push(`${shown}: neither an error nor a field error: ${answer.status} ${JSON.stringify(r)} ${answer.raw.slice(0, 300)}`);
      return true;
    }),
    { numRuns: RUNS },
  );
  expect(await digest(), "refused sign-ins changed the database").toBe(before);
  console.log(`[fuzz] sign-in form × ${RUNS} cases`);
  expect(problems).toEqual([]);
});
