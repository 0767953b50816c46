import { expect, test } from "@playwright/test";
import fc from "fast-check";
import { body, bodyText, FEW_RUNS, nastyString, RUNS, wrongValueOf } from "./arbitraries";
import { bearerSecrets, closeDatabase, createFixture, digest, insertBot, insertCredential, insertPerson, sessionCookie, sql } from "./fixture";
import { callAction, Form, ORIGIN } from "./http";
import { serverActions } from "./inventory";
import { expectNoStackTracesPerTest } from "./server-log";

/**
 * Fast bad-input fuzzing (fast-check) of the REST API's write routes, the
 * sign-in form and every server action, against the production server:
 * malformed and wrongly typed bodies, 1 MB values, NUL and control characters,
 * lone surrogates, bidi and zero-width characters, SQL and HTML injection. Every
 * case is answered with a 4xx, a refusal or a field error (never a 5xx), and a
 * refused case changes nothing. A body over 1 MB is answered 413 by proxy.ts.
 * The other REST, agent and cookie routes: fuzz-routes.spec.ts.
 */

const MB = 1_000_000;
/** How performAction words an unexpected failure (lib/server/perform-action.ts, which the test process cannot import). */
const GENERIC_FAILURE = /^Botdesk could not finish this\./;

/** The bytes of the strings an action call carries, and what the answer must then be: 200, 413, or either near the limit. */
function sizeRule(args: unknown[]): "fits" | "over" | "either" {
  const bytes = Buffer.byteLength(JSON.stringify(args, (_k, v: unknown) => (v instanceof Form ? v.fields : v)));
  return bytes < MB - 16_384 ? "fits" : bytes > MB + 16_384 ? "over" : "either";
}

test.afterAll(closeDatabase);

// Never a stack trace in the server's log while each test runs.
expectNoStackTracesPerTest();

test("the REST API's write routes answer bad input with a 4xx and change nothing", async ({ request }) => {
  test.setTimeout(180_000);
  const fixture = await createFixture();
  const keys = await bearerSecrets(fixture, "api_key");
  const secrets = [keys.admin!, keys.owner!];
  let n = 0;
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
        const res = await request.fetch(path, {
          method,
          headers: { Authorization: `Bearer ${secrets[n++ % secrets.length]}`, "Ngrok-Version": "2", "Content-Type": "application/json" },
          data: bodyText(b),
        });
        const text = await res.text();
        const shown = JSON.stringify(b).slice(0, 200);
        if (res.status() >= 500) problems.push(`${method} ${path} ${shown}: ${res.status()} ${text.slice(0, 200)}`);
        else if (res.status() >= 400 && (await digest()) !== before) problems.push(`${method} ${path} ${shown}: refused ${res.status()} but changed the database`);
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
      const args = [null, new Form({ login, password })];
      const answer = await callAction(request, signIn, args, null);
      const r = answer.result as { error?: string; fieldErrors?: Record<string, string> } | undefined;
      const shown = JSON.stringify([login.slice(0, 60), password.slice(0, 60)]);
      const size = sizeRule(args);
      if (answer.status === 413 && size !== "fits") return true;
      if (size === "over") problems.push(`${shown}: a body over 1 MB answered ${answer.status}, not 413`);
      else if (answer.status >= 500 || answer.redirect) problems.push(`${shown}: ${answer.status} ${answer.redirect ?? ""} ${answer.raw.slice(0, 200)}`);
      else if (r?.error?.startsWith("Botdesk cannot reach its database")) problems.push(`${shown}: reported as "database unavailable"`);
      else if (!r || (!r.error && !Object.values(r.fieldErrors ?? {}).some(Boolean))) problems.push(`${shown}: neither an error nor a field error: ${answer.status} ${JSON.stringify(r)} ${answer.raw.slice(0, 300)}`);
      return true;
    }),
    { numRuns: RUNS },
  );
  expect(await digest(), "refused sign-ins changed the database").toBe(before);
  console.log(`[fuzz] sign-in form × ${RUNS} cases`);
  expect(problems).toEqual([]);
});

type Caller = "owner" | "anonymous" | "mustChoose" | "throwaway";
interface ActionFuzz {
  /** Form fields (useActionState forms: `[prevState, FormData]`; `formOnly`: just the FormData), an input object's keys, or any arguments. */
  inputs: { form: string[]; formOnly?: boolean } | { json: string[] } | { any: true };
  as?: Caller;
  /** Where the action may send the browser (success paths). */
  redirects?: string[];
  runs?: number;
}

/** Every server action, by exported name, with what it reads. An action missing here fails the test. */
const ACTION_INPUTS: Record<string, ActionFuzz> = {
  createBotAction: { inputs: { form: ["name"] } },
  renameBotAction: { inputs: { form: ["id", "name"] } },
  updateBotDetailsAction: { inputs: { form: ["id", "description", "contact"] } },
  addPersonAction: { inputs: { form: ["email", "name", "role"] } },
  createCredentialAction: { inputs: { form: ["kind", "ownerId", "description", "metadata", "acl", "publicKey", "expiry", "expiresOn"] } },
  changePasswordAction: { inputs: { form: ["currentPassword", "newPassword", "confirmPassword", "signOutOtherSessions"] } },
  setBotsActiveAction: { inputs: { json: ["ids", "active"] } },
  deleteBotsAction: { inputs: { json: ["ids"] } },
  deactivationImpactAction: { inputs: { json: ["ids"] } },
  changeRoleAction: { inputs: { json: ["personId", "role"] } },
  setPersonActiveAction: { inputs: { json: ["personId", "active"] } },
  removePersonAction: { inputs: { json: ["personId"] } },
  resetPasswordAction: { inputs: { json: ["personId"] } },
  rotateCredentialAction: { inputs: { json: ["id", "grace"] } },
  revokeCredentialsAction: { inputs: { json: ["ids"] } },
  reserveDomainAction: { inputs: { form: ["domain", "description"] } },
  deleteReservedDomainAction: { inputs: { json: ["id"] } },
  createDestinationAction: { inputs: { form: ["kind", "url", "description", "apiKey", "ddsite", "ddtags", "service"] } },
  deleteDestinationAction: { inputs: { json: ["id"] } },
  sendTestEventAction: { inputs: { json: ["id"] } },
  redeliverAction: { inputs: { json: ["id", "eventId", "since"] } },
  createSubscriptionAction: { inputs: { form: ["destinationId", "description", "types"] } },
  deleteSubscriptionAction: { inputs: { json: ["id"] } },
  setEventRetentionAction: { inputs: { form: ["days"] }, runs: FEW_RUNS },
  updateAccountAction: { inputs: { form: ["name", "seatLimit", "sessions", "endpoints", "bandwidthGb", "apiRequests"] }, runs: FEW_RUNS },
  switchAccountAction: { inputs: { form: ["accountId"], formOnly: true }, runs: FEW_RUNS },
  choosePasswordAction: { inputs: { form: ["newPassword", "confirmPassword"] }, as: "mustChoose", redirects: ["/"], runs: FEW_RUNS },
  signInWithProviderAction: { inputs: { form: ["provider"], formOnly: true }, as: "anonymous", runs: FEW_RUNS },
  // The database has accounts: every call is refused "already set up" before any field is read.
  setupAction: { inputs: { form: ["token", "accountName", "name", "email", "password", "confirmPassword"] }, as: "anonymous", runs: FEW_RUNS },
  // Ends the caller's session whatever it is sent.
  signOutAction: { inputs: { any: true }, as: "throwaway", redirects: ["/sign-in"], runs: FEW_RUNS },
  signInAction: { inputs: { form: ["login", "password"] }, as: "anonymous", runs: 0 }, // fuzzed on its own above
  // Without a pending sign-in (the cookie a right password sets) every code is refused.
  secondFactorAction: { inputs: { form: ["code"] }, as: "anonymous", runs: FEW_RUNS },
  // Starts (or restarts) the caller's own setup whatever it is sent.
  beginTwoFactorEnrolmentAction: { inputs: { any: true }, runs: FEW_RUNS },
  confirmTwoFactorEnrolmentAction: { inputs: { json: ["code"] } },
  disableTwoFactorAction: { inputs: { json: ["code"] } },
  regenerateRecoveryCodesAction: { inputs: { json: ["code"] } },
  // As a member (refused): an owner's `required: true` would send the fixture's owner to set up two-factor for the rest of the run.
  setTwoFactorRequirementAction: { inputs: { json: ["required"] }, as: "throwaway", runs: FEW_RUNS },
  resetTwoFactorAction: { inputs: { json: ["personId"] } },
  stopTunnelSessionAction: { inputs: { json: ["id"] } },
};

test("every server action answers bad input with a refusal, a field error or a 413, never a failure, and changes nothing when it refuses", async ({ request }) => {
  test.setTimeout(240_000);
  const fixture = await createFixture();
  const actions = serverActions();
  const names = actions.map((a) => a.key.split("#")[1]!);
  expect(names.filter((n) => !ACTION_INPUTS[n]), "server actions the fuzz does not cover").toEqual([]);
  const mustChoose = await insertPerson(fixture.accountA, "member");
  await sql`UPDATE principals SET must_change_password = true WHERE id = ${mustChoose.id}`;
  const cookieOf = async (who: Caller): Promise<string | null> => {
    if (who === "anonymous") return null;
    if (who === "owner") return sessionCookie(fixture, "owner");
    const person = who === "mustChoose" ? mustChoose : await insertPerson(fixture.accountA, "member");
    // sessionCookie mints for the fixture's principals: borrow the "member" slot for this one.
    return sessionCookie({ ...fixture, people: { ...fixture.people, member: person } }, "member");
  };
  const problems: string[] = [];
  let cases = 0;
  for (const [name, fuzz] of Object.entries(ACTION_INPUTS)) {
    const action = actions.find((a) => a.key.endsWith(`#${name}`));
    if (!action || fuzz.runs === 0) continue;
    const { inputs } = fuzz;
    const args: fc.Arbitrary<unknown[]> = "form" in inputs
      ? fc.record(Object.fromEntries(inputs.form.map((f) => [f, nastyString])), { requiredKeys: [] }).map((fields) => {
          const form = new Form(fields as Record<string, string>);
          return inputs.formOnly ? [form] : [null, form];
        })
      : "json" in inputs
        ? fc.oneof(fc.record(Object.fromEntries(inputs.json.map((f) => [f, wrongValueOf(nastyString)])), { requiredKeys: [] }), wrongValueOf(nastyString)).map((input) => [input])
        : fc.array(wrongValueOf(nastyString), { maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(args, async (a) => {
        cases++;
        // The caller first: a throwaway caller is a person added for this case, not a change the action made.
        const cookie = await cookieOf(fuzz.as ?? "owner");
        const before = await digest();
        const answer = await callAction(request, action, a, cookie);
        const r = answer.result as { ok?: boolean; code?: string; status?: string; message?: string; error?: string; result?: { ok: boolean; code?: string } } | undefined;
        const outcome = r?.result ?? r;
        const shown = JSON.stringify(a, (_k, v: unknown) => (v instanceof Form ? v.fields : typeof v === "string" ? v.slice(0, 40) : v)).slice(0, 240);
        const size = sizeRule(a);
        const refused = answer.status === 413 || outcome?.ok === false || r?.status === "error" || Boolean(r?.error);
        if (answer.status === 413 && size === "fits") problems.push(`${name} ${shown}: 413 for a body under 1 MB`);
        else if (answer.status !== 413 && size === "over") problems.push(`${name} ${shown}: a body over 1 MB answered ${answer.status}, not 413`);
        else if (answer.status !== 200 && answer.status !== 413) problems.push(`${name} ${shown}: ${answer.status} ${answer.raw.slice(0, 160)}`);
        else if (answer.redirect && !(fuzz.redirects ?? []).includes(answer.redirect)) problems.push(`${name} ${shown}: redirected to ${answer.redirect}`);
        else if (outcome?.ok === false && outcome.code === "internal") problems.push(`${name} ${shown}: an unexpected failure (internal)`);
        else if (GENERIC_FAILURE.test(r?.message ?? "") || (r && "$error" in r)) problems.push(`${name} ${shown}: an unexpected failure ${JSON.stringify(r).slice(0, 160)}`);
        if (refused && (await digest()) !== before) problems.push(`${name} ${shown}: refused but changed the database`);
        return true;
      }),
      { numRuns: fuzz.runs ?? Math.ceil(RUNS / 2) },
    );
  }
  console.log(`[fuzz] ${names.length} server actions, ${cases} cases (and the sign-in form above)`);
  expect(problems).toEqual([]);
});

test("a body over its limit is answered 413: server actions (1 MB) and the APIs (64 KiB), with or without Content-Length", async ({ request }) => {
  const fixture = await createFixture();
  const createBot = serverActions().find((a) => a.key.endsWith("#createBotAction"))!;
  const owner = await sessionCookie(fixture, "owner");
  const key = (await bearerSecrets(fixture, "api_key")).owner!;
  const before = await digest();
  // A server action from the dashboard's own client (multipart with Content-Length), just over the limit.
  const big = await callAction(request, createBot, [null, new Form({ name: "x".repeat(MB + 10) })], owner);
  expect(big.status).toBe(413);
  expect(big.raw).toBe("The request body is larger than 1 MB.");
  // Just under it, the action itself answers (a field error: the name is too long).
  const under = await callAction(request, createBot, [null, new Form({ name: "x".repeat(MB - 4096) })], owner);
  expect(under.status).toBe(200);
  expect(under.result?.result?.ok).toBe(false);

  // Chunked (no Content-Length): 8 MB sent in 64 KiB chunks; the answer is 413 all the same.
  const chunked = async (path: string, headers: Record<string, string>, total: number, text = "") => {
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (text) {
          controller.enqueue(new TextEncoder().encode(text));
          text = "";
          return;
        }
        if (sent >= total) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${ORIGIN}${path}`, { method: "POST", headers, body: stream, duplex: "half" } as RequestInit);
    return { status: res.status, text: await res.text() };
  };
  const action = await chunked(createBot.pagePath, { "Next-Action": createBot.id, Origin: ORIGIN, Cookie: owner!, "Content-Type": "text/plain;charset=UTF-8" }, 8 * MB);
  expect(action).toEqual({ status: 413, text: "The request body is larger than 1 MB." });
  const api = await chunked("/api/v1/bot_users", { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, 128 * 1024);
  expect(api.status).toBe(413);
  expect(JSON.parse(api.text)).toMatchObject({ error_code: "ERR_BOTDESK_413", status_code: 413, msg: "The request body is larger than 64 KiB." });
  const apiSized = await request.post("/api/v1/bot_users", { headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, data: JSON.stringify({ name: "y".repeat(70_000) }) });
  expect(apiSized.status()).toBe(413);
  expect(await digest(), "an oversized body changed the database").toBe(before);
  // A chunked body under the limit still reaches the handler whole.
  const small = await chunked("/api/v1/bot_users", { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, 0, JSON.stringify({ name: `chunked-${Date.now()}` }));
  expect(small.status, small.text).toBe(201);
});
