import ngrok from "@ngrok/ngrok";
import { createPrivateKey } from "node:crypto";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { Secret as OtpSecret, TOTP } from "otpauth";
import pg from "pg";
import { issueSecret } from "../../lib/domain/credentials/token-format";
import { sshKeygen } from "../../lib/test-support/ssh-keys";
import { openPrivateKey } from "../../lib/tunnels/tls/seal";
import { E2E_AGENT_PORT, E2E_AUTH_SECRET, E2E_DATA_DIR, e2eDatabaseUrl } from "../support/constants";
import { bearerSecrets, closeDatabase, createFixture, insertBot, SESSION_COOKIE, sessionCookie, sql } from "./fixture";
import { ORIGIN } from "./http";
import { pages, routeHandlers } from "./inventory";
import { serverLogSince } from "./server-log";
import { earlyInTotpStep } from "../support/totp-step";

/**
 * Every kind of secret Botdesk hands out, made through the dashboard (in the
 * browser, read from the show-once dialog) and through the REST API (the create
 * response's `token`): authtokens and API keys of a bot and of a person, a
 * rotation's new secret, a new person's initial password and a reset's one-time
 * password; and secrets that are only ever presented: the API key every request
 * here carries, a wrong secret for a real key id, a private SSH key pasted where
 * a public key belongs (refused), the password a person chooses, a TOTP secret
 * (the setup key, read from the page) and its recovery codes, each used once
 * to sign in; and the server's own private keys (the agent CA's, the agent
 * certificate's, the SSH host key). Then none of
 * them (whole, or its random part, so a secret logged in pieces is found too)
 * appears in the server's log since it started, in any row of any table, in any
 * file of the data directory (the embedded PostgreSQL's files, WAL and log
 * included), in the HTML or RSC payload of any page of the inventory as owner,
 * admin and member, or in any GET route's answer (lists and items, with the
 * secrets' ids). Only the one create response showed each secret.
 */

interface Secret {
  label: string;
  value: string;
  /** What to look for: the whole secret and its distinctive parts. */
  needles: string[];
}

const secrets: Secret[] = [];
/** A token: the whole, and its 32 random characters (its id and last four characters are shown on purpose). */
const token = (label: string, value: string) => {
  expect(value, label).toMatch(/^(bdat|bdak)_[0-9A-Za-z]{22}_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/);
  secrets.push({ label, value, needles: [value, value.split("_")[2]!] });
  return value;
};
/** A private SSH key: each line of its body but the first (OpenSSH's fixed header) and the last (the comment, padding). */
const privateKey = (label: string, value: string) => {
  const lines = value.split("\n").filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l)).slice(1, -1);
  expect(lines.length, label).toBeGreaterThan(2);
  secrets.push({ label, value, needles: lines });
};
/**
 * The server's own private keys (server_keys: the agent CA's, the agent certificate's, the SSH host
 * key), which only the server holds: an SSH key like the others; a PKCS#8 key by its PEM lines, its
 * bytes in hex (as a bytea column would show them) and its private scalar.
 */
const serverKey = (name: string, plain: Buffer) => {
  const label = `the server's private key "${name}"`;
  if (name === "ssh-host") {
    const text = plain.toString("utf8");
    privateKey(label, text);
    secrets.at(-1)!.needles.push(Buffer.from(secrets.at(-1)!.needles[1]!).toString("hex"));
    return;
  }
  const d = Buffer.from(createPrivateKey({ key: plain, format: "der", type: "pkcs8" }).export({ format: "jwk" }).d!, "base64url");
  const pemLines = plain.toString("base64").match(/.{64}/g)!;
  secrets.push({ label, value: plain.toString("base64"), needles: [...pemLines, plain.toString("hex"), d.toString("hex"), d.toString("base64")] });
};
/** A password: the whole, and 12 characters from its middle. */
const password = (label: string, value: string) => {
  secrets.push({ label, value, needles: [value, value.slice(4, 16)] });
  return value;
};

async function takeSecret(page: Page, testId = "secret-once-dialog"): Promise<string> {
  const dialog = page.getByTestId(testId);
  await expect(dialog).toBeVisible();
  const value = await dialog.getByTestId("secret-value").inputValue();
  await dialog.getByRole("button", { name: "I've stored it" }).click();
  await expect(dialog).toBeHidden();
  return value;
}

async function createInPanel(page: Page, kind: "authtoken" | "api_key" | "ssh_key", description: string, publicKey?: string) {
  await page.getByTestId("credentials-panel").getByRole("button", { name: "Create credential" }).first().click();
  const dialog = page.getByTestId("create-credential-dialog");
  await dialog.getByLabel("Kind").selectOption(kind);
  await dialog.getByLabel("Description").fill(description);
  if (publicKey !== undefined) await dialog.getByLabel("Public key").fill(publicKey);
  await dialog.getByRole("button", { name: "Create credential" }).click();
  return dialog;
}

async function signInUi(page: Page, email: string, secret: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(secret);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Every file under a directory (following the link to the database's files, if it is one), as paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    const real = d.isSymbolicLink() ? realpathSync(full) : full;
    const stat = statSync(real);
    if (stat.isDirectory()) return filesUnder(real);
    return stat.isFile() ? [real] : [];
  });
}

/** The agent whose session and endpoint the scan reads; closed after the test. */
let agentSession: ngrok.Session | undefined;
test.afterAll(async () => {
  await agentSession?.close().catch(() => {});
});
test.afterAll(closeDatabase);

test("no secret appears anywhere but its one create response: log, rows, data directory, pages, RSC payloads, API reads", async ({ page, browser, request }) => {
  test.setTimeout(120_000);
  const started = Date.now();
  const phase: Record<string, number> = {};
  let mark = Date.now();
  const lap = (name: string) => {
    phase[name] = Date.now() - mark;
    mark = Date.now();
  };
  const fixture = await createFixture();
  const apiKey = (await bearerSecrets(fixture, "api_key")).owner!;
  token("the owner's API key, presented with every API call", apiKey);
  const api = { Authorization: `Bearer ${apiKey}` };
  // Made when the server started (the agent listener's TLS, the SSH server): stored encrypted, so decrypted here with its AUTH_SECRET.
  const keys = await sql<{ name: string; private_key_encrypted: Buffer }>`SELECT name, private_key_encrypted FROM server_keys ORDER BY name`;
  expect(keys.map((k) => k.name)).toEqual(["agent-ca", "agent-server", "ssh-host"]);
  for (const k of keys) serverKey(k.name, openPrivateKey(E2E_AUTH_SECRET, k.name, k.private_key_encrypted));
  const bot = await insertBot(fixture.accountA);
  const owner = fixture.people.owner;
  const tag = Date.now().toString(36);

  lap("fixture");
  // ——— The dashboard, in the browser, as the owner.
  const cookie = (await sessionCookie(fixture, "owner"))!;
  await page.context().addCookies([{ name: SESSION_COOKIE, value: cookie.slice(SESSION_COOKIE.length + 1), url: ORIGIN }]);
  await page.goto(`/users/bots/${bot}`);
  await createInPanel(page, "authtoken", "secrets ui bot authtoken");
  token("a bot's authtoken, made in the dashboard", await takeSecret(page));
  await createInPanel(page, "api_key", "secrets ui bot API key");
  token("a bot's API key, made in the dashboard", await takeSecret(page));
  lap("ui bot");
  await page.goto("/settings");
  await createInPanel(page, "api_key", "secrets ui own API key");
  token("a person's API key, made in the dashboard", await takeSecret(page));
  await createInPanel(page, "authtoken", "secrets ui own authtoken");
  const ownToken = token("a person's authtoken, made in the dashboard", await takeSecret(page));
  await page.getByRole("button", { name: `Rotate bdat_…${ownToken.slice(-4)}` }).click();
  await page.getByTestId("rotate-credential-dialog").getByRole("button", { name: "Rotate" }).click();
  token("a rotation's new authtoken, in the dashboard", await takeSecret(page));
  lap("ui own");
  // An SSH key has no secret; a private key pasted in its place is refused, then the public one is taken.
  const uiKey = sshKeygen("ed25519");
  privateKey("a private SSH key pasted in the dashboard", uiKey.privateKey);
  const sshDialog = await createInPanel(page, "ssh_key", "secrets ui ssh", uiKey.privateKey);
  await expect(sshDialog.getByText(/^That is a private key/)).toBeVisible();
  await sshDialog.getByLabel("Public key").fill(uiKey.publicKey);
  await sshDialog.getByRole("button", { name: "Create credential" }).click();
  await expect(sshDialog).toBeHidden();

  lap("ui ssh");
  // A new person: the initial password, a sign-in with it, a reset's one-time password, then their own password.
  const person = { email: `secrets-${tag}@example.test`, name: `Secrets Person ${tag}` };
  await page.goto("/users");
  await page.getByRole("button", { name: "Add person" }).click();
  const add = page.getByTestId("add-person-dialog");
  await add.getByLabel("Email").fill(person.email);
  await add.getByLabel("Name").fill(person.name);
  await add.getByRole("button", { name: "Add person" }).click();
  await expect(add.getByTestId("person-added")).toBeVisible();
  const initial = password("a new person's initial password", await takeSecret(page, "add-person-dialog"));
  lap("ui add person");
  const theirContext = await browser.newContext();
  const theirs = await theirContext.newPage();
  await signInUi(theirs, person.email, initial);
  await expect(theirs.getByTestId("seat-summary")).toBeVisible();
  lap("ui sign in");
  await page.goto(`/users?pq=${tag}`);
  await page.getByRole("button", { name: `Reset password of ${person.name}` }).click();
  await page.getByTestId("reset-password-dialog").getByRole("button", { name: "Reset password" }).click();
  const oneTime = password("a reset's one-time password", await takeSecret(page, "password-reset-dialog"));
  await signInUi(theirs, person.email, oneTime);
  await expect(theirs).toHaveURL(/\/choose-password$/);
  const chosen = password("the password the person then chose", `Chosen-${tag}-passphrase-${Math.random().toString(36).slice(2)}`);
  await theirs.getByLabel("New password", { exact: true }).fill(chosen);
  await theirs.getByLabel("Repeat the new password").fill(chosen);
  await theirs.getByRole("button", { name: "Save and continue" }).click();
  await expect(theirs.getByTestId("seat-summary")).toBeVisible();
  lap("ui reset, choose");
  // Two-factor sign-in: the setup key (shown during the setup only) and the recovery codes (shown once), then both used.
  await theirs.goto("/settings");
  await theirs.getByRole("button", { name: "Set up two-factor sign-in" }).click();
  const totpKey = (await theirs.getByTestId("two-factor-secret").innerText()).replace(/\s+/g, "");
  expect(totpKey).toMatch(/^[A-Z2-7]{32}$/);
  secrets.push({ label: "a TOTP secret (the setup key)", value: totpKey, needles: [totpKey, totpKey.slice(8, 24)] });
  const totp = (at: number) => TOTP.generate({ secret: OtpSecret.fromBase32(totpKey), algorithm: "SHA1", digits: 6, period: 30, timestamp: at });
  // The previous step's code (so the sign-in below may use the current one: each step's code works once).
  await earlyInTotpStep(theirs);
  await theirs.getByLabel("Code from the app").fill(totp(Date.now() - 30_000));
  await theirs.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  // allInnerTexts does not wait: the codes appear once the action has answered.
  await expect(theirs.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  const recoveryCodes = (await theirs.getByTestId("recovery-codes").locator("li").allInnerTexts()).map((c) => c.trim());
  for (const c of recoveryCodes) secrets.push({ label: "a recovery code", value: c, needles: [c, c.replaceAll("-", "")] });
  await theirs.getByRole("button", { name: "I've stored them" }).click();
  for (const secondFactor of [totp(Date.now()), recoveryCodes[0]!]) {
    await theirs.getByRole("button", { name: "Sign out" }).click();
    // Signed out once the action has answered: a /sign-in asked before that still has the session, and goes to the dashboard.
    await expect(theirs).toHaveURL(/\/sign-in$/);
    await signInUi(theirs, person.email, chosen);
    await expect(theirs).toHaveURL(/\/sign-in\/two-factor$/);
    await theirs.getByLabel("Authentication code").fill(secondFactor);
    await theirs.getByRole("button", { name: "Verify" }).click();
    await expect(theirs.getByTestId("seat-summary")).toBeVisible();
  }
  await theirContext.close();

  lap("ui two-factor");
  // ——— The REST API, with the owner's key: `token` is in the create response only.
  const create = async (collection: string, data: Record<string, unknown>) => {
    const res = await request.post(`/api/v1/${collection}`, { headers: api, data });
    expect(res.status(), `POST /api/v1/${collection}`).toBe(201);
    return (await res.json()) as { id: string; token?: string };
  };
  const apiBotToken = await create("credentials", { owner_id: bot, description: "secrets api bot authtoken" });
  token("a bot's authtoken, made with the API", apiBotToken.token!);
  const apiOwnToken = await create("credentials", { owner_id: owner.id, description: "secrets api own authtoken" });
  token("a person's authtoken, made with the API", apiOwnToken.token!);
  const apiBotKey = await create("api_keys", { owner_id: bot, description: "secrets api bot key" });
  token("a bot's API key, made with the API", apiBotKey.token!);
  token("a person's API key, made with the API", (await create("api_keys", { owner_id: owner.id, description: "secrets api own key" })).token!);
  const apiKeyPair = sshKeygen("ed25519");
  privateKey("a private SSH key sent to the API", apiKeyPair.privateKey);
  const refusedSsh = await request.post("/api/v1/ssh_credentials", { headers: api, data: { owner_id: bot, public_key: apiKeyPair.privateKey } });
  expect(refusedSsh.status()).toBe(400);
  const refusedText = await refusedSsh.text();
  await create("ssh_credentials", { owner_id: bot, public_key: apiKeyPair.publicKey, description: "secrets api ssh" });
  // Presented secrets: the bot's new key and authtoken used, and a wrong secret for a real key's id.
  expect((await request.get("/api/v1/bot_users", { headers: { Authorization: `Bearer ${apiBotKey.token}` } })).status()).toBe(200);
  const wrong = token("a wrong secret for a real API key's id", issueSecret("api_key", apiBotKey.id).token);
  expect((await request.get("/api/v1/bot_users", { headers: { Authorization: `Bearer ${wrong}` } })).status()).toBe(401);
  // A reserved domain and an endpoint bound on it by ngrok's own agent SDK presenting the bot's authtoken (open
  // until the end: the session's and endpoint's item routes are read too, and the server logged the agent's arrival).
  const domain = await create("reserved_domains", { domain: `secrets-${tag}.example.com`, description: "secrets" });
  const ca = await (await request.get("/agent-ca.pem")).text();
  agentSession = await new ngrok.SessionBuilder().authtoken(apiBotToken.token!).serverAddr(`localhost:${E2E_AGENT_PORT}`).caCert(Buffer.from(ca)).connect();
  await agentSession.httpEndpoint().domain(`secrets-${tag}.example.com`).listenAndForward("http://127.0.0.1:9");
  const [open] = await sql<{ session_id: string; id: string }>`SELECT e.session_id, e.id FROM tunnel_endpoints e JOIN tunnel_sessions s ON s.id = e.session_id
    WHERE s.credential_id = ${apiBotToken.id} AND e.ended_at IS NULL`;
  const sessionId = open!.session_id;
  const endpointId = open!.id;
  // Event streams: a webhook's signing secret (shown once) and a Datadog API key (never read back), sealed at rest.
  const hook = (await create("event_destinations", { format: "json", target: { webhook: { url: "https://203.0.113.10/secrets" } } })) as unknown as { id: string; target: { webhook: { secret: string } } };
  const whsec = hook.target.webhook.secret;
  secrets.push({ label: "a webhook's signing secret", value: whsec, needles: [whsec, whsec.slice(6), Buffer.from(whsec.slice(6), "base64").toString("hex")] });
  const ddKey = `ddkey${tag}0123456789abcdef`;
  secrets.push({ label: "a Datadog API key", value: ddKey, needles: [ddKey] });
  await create("event_destinations", { format: "json", target: { datadog: { api_key: ddKey, ddsite: "datadoghq.eu" } } });
  const subscription = await create("event_subscriptions", { sources: [{ type: "bot_user_created.v0" }], destination_ids: [hook.id] });
  const made = Date.now() - started;
  lap("api");

  // ——— The scan. `found` lists each secret seen, and where.
  const found: string[] = [];
  const scan = (where: string, text: string) => {
    for (const s of secrets) if (s.needles.some((n) => text.includes(n))) found.push(`${s.label} in ${where}`);
  };
  scan("the answer refusing a private SSH key", refusedText);

  // (a) The server's log since it started.
  const log = await serverLogSince(0);
  scan("the server's log", log);

  // (b) Every row of every table.
  const client = new pg.Client({ connectionString: e2eDatabaseUrl() });
  await client.connect();
  let rowCount = 0;
  const tables = (await client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.t);
  for (const t of tables) {
    const rows = (await client.query<{ r: string }>(`SELECT row_to_json(x)::text AS r FROM "${t}" x`)).rows;
    rowCount += rows.length;
    scan(`table ${t}`, rows.map((r) => r.r).join("\n"));
  }
  lap("rows");
  // (e) Every file of the data directory, after a checkpoint has written the database's pages out (WAL included either way).
  await client.query("CHECKPOINT").catch(() => undefined);
  await client.end();
  let fileCount = 0;
  let fileBytes = 0;
  if (existsSync(E2E_DATA_DIR)) {
    const needles = secrets.flatMap((s) => s.needles.map((n) => ({ s, n: Buffer.from(n, "utf8") })));
    for (const file of filesUnder(E2E_DATA_DIR)) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue; // removed meanwhile (a WAL segment recycled, a temp file)
      }
      fileCount++;
      fileBytes += bytes.length;
      for (const { s, n } of needles) if (bytes.includes(n)) found.push(`${s.label} in ${path.relative(E2E_DATA_DIR, file)}`);
    }
  }

  lap("files");
  // (c) The HTML and RSC payload of every page, as owner, admin and member.
  const eventIds = (await sql<{ id: string }>`SELECT id FROM events WHERE account_id = ${fixture.accountA} ORDER BY id`).map((r) => r.id);
  const pageIds: Record<string, string[]> = { "/activity/[id]": eventIds, "/users/bots/[id]": [bot] };
  const patterns = pages();
  expect(patterns.filter((p) => p.includes("[") && !pageIds[p]), "pages the scan has no ids for").toEqual([]);
  const urls = patterns.flatMap((p) => (p.includes("[") ? pageIds[p]!.map((id) => p.replace(/\[[^\]]+\]/, id)) : [p]));
  urls.push(`/credentials?owner=${bot}`, `/activity?bot=${bot}`, `/users?pq=${tag}`);
  let pageLoads = 0;
  let rscPayloads = 0;
  for (const who of ["owner", "admin", "member"] as const) {
    const headers = { Cookie: (await sessionCookie(fixture, who))! };
    for (const url of urls) {
      const html = await request.get(url, { headers });
      expect(html.status(), `${url} as ${who}`).toBeLessThan(500);
      scan(`${url} as ${who} (HTML)`, await html.text());
      // Next answers an RSC request without its cache-busting `_rsc` parameter with a redirect to the URL with it.
      let rsc = await request.get(url, { headers: { ...headers, RSC: "1" }, maxRedirects: 0 });
      const location = rsc.headers()["location"];
      if (rsc.status() === 307 && location && /[?&]_rsc\b/.test(location)) rsc = await request.get(location, { headers: { ...headers, RSC: "1" }, maxRedirects: 0 });
      if (rsc.status() === 200) {
        expect(rsc.headers()["content-type"], `${url} as ${who} (RSC)`).toContain("text/x-component");
        rscPayloads++;
      }
      scan(`${url} as ${who} (RSC)`, await rsc.text());
      pageLoads += 2;
    }
  }

  lap("pages");
  // (d) Every GET route's answer: lists, and items with the secrets' ids.
  const credentialIds = await sql<{ id: string; kind: string }>`SELECT id, kind FROM credentials WHERE account_id = ${fixture.accountA}`;
  const idsOf = (kind: string) => credentialIds.filter((c) => c.kind === kind).map((c) => c.id);
  const routeIds: Record<string, string[]> = {
    "/api/v1/bot_users/[id]": [bot],
    "/api/v1/service_users/[id]": [bot],
    "/api/v1/credentials/[id]": idsOf("authtoken"),
    "/api/v1/api_keys/[id]": idsOf("api_key"),
    "/api/v1/ssh_credentials/[id]": idsOf("ssh_key"),
    "/api/v1/events/[id]": eventIds,
    "/api/v1/tunnel_sessions/[id]": [sessionId],
    "/api/v1/tunnel_sessions/[id]/stop": [sessionId],
    "/api/v1/reserved_domains/[id]": [domain.id],
    "/api/v1/endpoints/[id]": [endpointId],
    "/api/v1/event_destinations/[id]": [hook.id],
    "/api/v1/event_subscriptions/[id]": [subscription.id],
    "/api/v1/event_subscriptions/[id]/sources": [subscription.id],
    // The first bracket is filled: the source's type goes with the id.
    "/api/v1/event_subscriptions/[id]/sources/[type]": [subscription.id],
    "/api/auth/[...nextauth]": ["session", "csrf", "providers"],
    "/api/v1/[...path]": ["no-such-route"],
    "/api/[[...path]]": ["no-such-route"],
    "/agent/[[...path]]": ["no-such-route"],
  };
  const routeQueries: Record<string, string[]> = { "/api/v1/events": ["", "?limit=100"], "/activity/export": ["?format=csv", "?format=ndjson"] };
  const gets = routeHandlers().filter((r) => r.startsWith("GET ")).map((r) => r.slice(4));
  expect(gets.filter((p) => p.includes("[") && !routeIds[p]), "GET routes the scan has no ids for").toEqual([]);
  // /session/end last: it may end the owner's session.
  const routeUrls = gets
    .flatMap((p) => (p.includes("[") ? routeIds[p]!.map((id) => p.replace(/\[\[?[^\]]+\]\]?/, id)) : [p]))
    .flatMap((u) => (routeQueries[u] ?? [""]).map((q) => u + q))
    .sort((a, b) => Number(a.startsWith("/session/end")) - Number(b.startsWith("/session/end")));
  const ownerCookie = { Cookie: (await sessionCookie(fixture, "owner"))! };
  let apiReads = 0;
  for (const url of routeUrls) {
    const headers = url.startsWith("/api/v1") ? api : ownerCookie;
    const res = await request.get(url, { headers, maxRedirects: 0 });
    expect(res.status(), url).toBeLessThan(500);
    scan(`GET ${url}`, await res.text());
    apiReads++;
  }

  lap("routes");
  console.log(`[secrets] ms per phase: ${JSON.stringify(phase)}`);
  console.log(
    `[secrets] ${secrets.length} secrets (made in ${Math.round(made / 1000)} s) looked for in: the server's log (${log.length.toLocaleString("en")} characters), ` +
      `${rowCount.toLocaleString("en")} rows of ${tables.length} tables, ${fileCount.toLocaleString("en")} files of the data directory (${(fileBytes / 1e6).toFixed(1)} MB), ` +
      `${pageLoads} page loads (${urls.length} pages × HTML and RSC × owner, admin, member; ${rscPayloads} RSC payloads), ${apiReads} GET route answers`,
  );
  expect(found).toEqual([]);
});
