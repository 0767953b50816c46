import { expect, test, type Page } from "@playwright/test";
import pg from "pg";
import { encode } from "next-auth/jwt";
import { E2E_AUTH_SECRET, E2E_PASSWORD, E2E_PORT, e2eDatabaseUrl } from "./support/constants";
import { sql } from "./support/db";
import { issueSecret } from "../lib/domain/credentials/token-format";
import { newId } from "../lib/ids";
import { ADMIN, MEMBER, signIn } from "./support/session";
import { acmeId } from "./support/users";

const ORIGIN = `http://localhost:${E2E_PORT}`;
const HTTPS = { "x-forwarded-proto": "https" };

async function refusalsOf(botName: string): Promise<number> {
  const rows = await sql<{ n: string }>`
    SELECT count(*) AS n FROM events e JOIN principals p ON p.id = e.principal_id
    WHERE p.name = ${botName} AND e.type = 'login.refused'`;
  return Number(rows[0]?.n ?? 0);
}

/** A session cookie as Auth.js would sign it, for a subject of our choosing. */
async function forgedSession(botName: string, cookieName = "authjs.session-token") {
  const [bot] = await sql<{ id: string }>`SELECT id FROM principals WHERE name = ${botName}`;
  return { id: bot!.id, value: await encode({ token: { sub: bot!.id }, secret: E2E_AUTH_SECRET, salt: cookieName }) };
}

const setCookies = (headers: { name: string; value: string }[]) =>
  headers.filter((h) => h.name.toLowerCase() === "set-cookie").map((h) => h.value);

/**
 * Every way out: the dashboard's button, Auth.js's own endpoint (POST /api/auth/signout with its
 * CSRF token, as a script or another form would), and Auth.js's sign-out page with its confirm button.
 * A session cookie is a signed token: only the server's session version makes a copy stop working.
 */
const WAYS_OUT: [string, (page: Page) => Promise<void>][] = [
  ["the dashboard's sign-out button", async (page) => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
  }],
  ["Auth.js's sign-out endpoint with its CSRF token", async (page) => {
    const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const res = await page.request.post("/api/auth/signout", { form: { csrfToken, callbackUrl: "/sign-in" }, maxRedirects: 0 });
    expect(res.status()).toBe(302);
    expect(setCookies(res.headersArray()).some((c) => /^authjs\.session-token=;/.test(c))).toBe(true);
  }],
  ["Auth.js's sign-out page, confirmed", async (page) => {
    await page.goto("/api/auth/signout");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/api/auth/signout"));
    expect((await page.context().cookies()).some((c) => c.name === "authjs.session-token")).toBe(false);
  }],
];

for (const [way, signOut] of WAYS_OUT) {
  test(`a cookie copied before signing out through ${way} opens nothing afterwards`, async ({ page, browser }) => {
    await signIn(page, MEMBER);
    const copied = await page.context().cookies();
    await signOut(page);

    const thief = await browser.newContext();
    await thief.addCookies(copied);
    const other = await thief.newPage();
    await other.goto("/settings");
    await expect(other).toHaveURL(/\/sign-in\?error=ended$/);
    await expect(other.getByTestId("sign-in-error")).toHaveText("Your session has ended. Sign in again.");
    // The API behind the page says the same: no session.
    expect(await (await thief.request.get("/api/auth/session")).json()).toBeNull();
    await thief.close();
  });
}

test("a sign-out posted without Auth.js's CSRF token ends nothing", async ({ page }) => {
  await signIn(page, MEMBER);
  // A page of another site (or a script) that cannot read the token: Auth.js refuses, and the session goes on.
  const res = await page.request.post("/api/auth/signout", { form: { csrfToken: "forged", callbackUrl: "/sign-in" }, maxRedirects: 0 });
  expect(res.status()).toBeLessThan(500);
  await page.goto("/");
  await expect(page.getByTestId("seat-summary")).toBeVisible();
});

test("changing the password signs out the other sessions and keeps this one", async ({ page, browser }) => {
  const elsewhere = await browser.newContext();
  const otherPage = await elsewhere.newPage();
  await signIn(otherPage, ADMIN);
  await signIn(page, ADMIN);

  const change = async (from: string, to: string, signOutOthers: boolean) => {
    await page.goto("/settings");
    await page.getByLabel("Current password").fill(from);
    await page.getByLabel("New password", { exact: true }).fill(to);
    await page.getByLabel("Repeat the new password").fill(to);
    await page.getByTestId("sign-out-other-sessions").setChecked(signOutOthers);
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByTestId("password-saved")).toBeVisible();
  };
  await change(E2E_PASSWORD, "a-new-e2e-password", true);
  await expect(page.getByTestId("password-saved")).toContainText("Your other sessions were signed out.");
  await page.goto("/");
  await expect(page.getByTestId("seat-summary")).toBeVisible();
  await otherPage.goto("/");
  await expect(otherPage).toHaveURL(/\/sign-in\?error=ended$/);
  await elsewhere.close();

  await change("a-new-e2e-password", E2E_PASSWORD, false);
  await page.goto("/");
  await expect(page.getByTestId("seat-summary")).toBeVisible();
});

test("behind HTTPS a refused session's cookie is cleared with Secure and a relative Location, once", async ({ request }) => {
  const cookieName = "__Secure-authjs.session-token";
  const forged = await forgedSession("billing-sync", cookieName);
  const before = await refusalsOf("billing-sync");
  const headers = { ...HTTPS, cookie: `${cookieName}=${forged.value}` };

  const page = await request.get("/", { headers, maxRedirects: 0 });
  expect(page.status()).toBe(307);
  expect(page.headers()["location"]).toBe("/session/end?reason=bot");
  expect(page.headers()["strict-transport-security"]).toContain("max-age=");

  const end = await request.get("/session/end?reason=bot", { headers, maxRedirects: 0 });
  expect(end.status()).toBe(303);
  expect(end.headers()["location"]).toBe("/sign-in?error=bot");
  const cleared = setCookies(end.headersArray()).find((c) => c.startsWith(`${cookieName}=;`));
  expect(cleared).toMatch(/; Secure/i);
  expect(cleared).toMatch(/Path=\//);
  expect(cleared).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);

  // The sign-in page shows the refusal itself, even for a cookie that was not dropped.
  const signInPage = await request.get("/sign-in?error=bot", { headers, maxRedirects: 0 });
  expect(signInPage.status()).toBe(200);
  expect(await refusalsOf("billing-sync")).toBe(before + 2);
});

test("a forged bot session is recorded once per request, on a bot's page and on /api/auth/session", async ({ request }) => {
  const forged = await forgedSession("edge-agent-prod");
  const headers = { cookie: `authjs.session-token=${forged.value}` };
  const before = await refusalsOf("edge-agent-prod");

  const botPage = await request.get(`/users/bots/${forged.id}`, { headers, maxRedirects: 0 });
  expect(botPage.status()).toBe(307);
  expect(await refusalsOf("edge-agent-prod")).toBe(before + 1);

  const session = await request.get("/api/auth/session", { headers });
  expect(session.status()).toBe(200);
  expect(await session.json()).toBeNull();
  expect(setCookies(session.headersArray()).some((c) => c.startsWith("authjs.session-token=;"))).toBe(true);
  expect(await refusalsOf("edge-agent-prod")).toBe(before + 2);
});

test("a server action with a forged bot session is refused and recorded once", async ({ page }) => {
  await signIn(page, MEMBER);
  await page.goto("/settings");
  // The page stays open while its session cookie is swapped for a bot's.
  const forged = await forgedSession("edge-agent-prod");
  await page.context().addCookies([{ name: "authjs.session-token", value: forged.value, url: ORIGIN }]);
  const before = await refusalsOf("edge-agent-prod");
  await page.getByLabel("Current password").fill("anything-at-all");
  await page.getByLabel("New password", { exact: true }).fill("another-password-1");
  await page.getByLabel("Repeat the new password").fill("another-password-1");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/sign-in\?error=bot$/);
  await expect(page.getByTestId("sign-in-error")).toHaveText("Bot users cannot sign in to the dashboard");
  expect(await refusalsOf("edge-agent-prod")).toBe(before + 1);
});

test("a link from another site to /session/end does not sign anyone out", async ({ page }) => {
  await signIn(page, MEMBER);
  await page.goto("/session/end?reason=bot");
  await expect(page).toHaveURL(`${ORIGIN}/`);
  await page.goto("/settings");
  await expect(page).toHaveURL(`${ORIGIN}/settings`);
});

test("a client's own X-Forwarded-For is not believed by default", async ({ browser }) => {
  const forged = "6.6.6.6";
  const context = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": forged } });
  const page = await context.newPage();
  const before = await refusalsOf("ci-deployer");
  // A refusal recorded against a bot: one of ci-deployer's secrets typed as the password.
  const keyId = newId("apiKey");
  const { token, hash, hint } = issueSecret("api_key", keyId);
  const [bot] = await sql<{ id: string }>`SELECT id FROM principals WHERE name = 'ci-deployer'`;
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
    VALUES (${keyId}, ${await acmeId()}, 'api_key', ${bot!.id}, 'e2e forwarded-for', ${hash}, ${hint})`;
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(`forwarded-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("sign-in-error")).toBeVisible();
  expect(await refusalsOf("ci-deployer")).toBe(before + 1);
  const [last] = await sql<{ ip: string | null }>`
    SELECT e.ip FROM events e JOIN principals p ON p.id = e.principal_id
    WHERE p.name = 'ci-deployer' AND e.type = 'login.refused' ORDER BY e.created_at DESC LIMIT 1`;
  expect(last?.ip).toMatch(/^(127\.0\.0\.1|::1)$/);
  await context.close();
});

test("pages carry a CSP with a nonce and form-action 'self'; a foreign Origin's write is refused with 403", async ({ page, request }) => {
  const response = await request.get("/sign-in");
  const csp = response.headers()["content-security-policy"] ?? "";
  expect(csp).toContain("default-src 'self'");
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
  expect(csp).toContain("form-action 'self'");
  expect(response.headers()["strict-transport-security"]).toBeUndefined();

  // Scripts still run under it: the sign-in form works in the browser.
  await signIn(page, MEMBER);

  const foreign = await request.post("/", { headers: { origin: "https://evil.example", "next-action": "0".repeat(42) }, data: "[]" });
  expect(foreign.status()).toBe(403);
});

test("a database outage reads as one, and both sign-in and pages recover by themselves", async ({ page }) => {
  // The database is closed to new connections for a moment (the embedded server or E2E_DATABASE_URL's, alike).
  const db = new URL(e2eDatabaseUrl()).pathname.slice(1);
  await signIn(page, MEMBER);
  const signInPage = await page.context().browser()!.newPage();
  const keyId = newId("apiKey");
  const { token: apiKey, hash, hint } = issueSecret("api_key", keyId);
  const [admin] = await sql<{ id: string }>`SELECT id FROM principals WHERE email = ${ADMIN.email}`;
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
    VALUES (${keyId}, ${await acmeId()}, 'api_key', ${admin!.id}, 'e2e outage', ${hash}, ${hint})`;
  try {
    await sqlAdmin(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS false`);
    await sqlAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db}' AND pid <> pg_backend_pid()`);
    await page.goto("/users");
    await expect(page.getByTestId("database-unavailable")).toBeVisible();

    await signInPage.goto("/sign-in");
    await signInPage.getByLabel("Email").fill(ADMIN.email);
    await signInPage.getByLabel("Password").fill(ADMIN.password);
    await signInPage.getByRole("button", { name: "Sign in" }).click();
    await expect(signInPage.getByTestId("sign-in-error")).toContainText("cannot reach its database");

    // The API answers a well-formed key (it cannot be checked now) with a JSON 503 and Retry-After.
    const api = await fetch(`http://localhost:${E2E_PORT}/api/v1/bot_users`, { headers: { Authorization: `Bearer ${apiKey}` } });
    expect(api.status).toBe(503);
    expect(api.headers.get("retry-after")).toBe("5");
    expect(await api.json()).toMatchObject({ error_code: "ERR_BOTDESK_503", status_code: 503 });
    // So do the cookie-authenticated route handlers (one wrapper): the signed-in member's session cannot be checked now.
    const origin = `http://localhost:${E2E_PORT}`;
    for (const [method, path] of [["GET", "/activity/export?format=csv"], ["GET", "/activity/new-count?since=1.ev_x"], ["POST", "/settings/api-keys"]] as const) {
      const res = await page.request.fetch(path, { method, headers: { "Content-Type": "application/json", Origin: origin }, ...(method === "POST" ? { data: "{}" } : {}) });
      expect([path, res.status(), res.headers()["retry-after"], await res.json()]).toEqual([
        path, 503, "5", { error: "Botdesk cannot reach its database right now. Try again shortly.", code: "database_unavailable" },
      ]);
    }
  } finally {
    await sqlAdmin(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS true`);
  }
  // The page that showed the outage comes back on its own, and signing in works again.
  await expect(page.getByTestId("database-unavailable")).toBeHidden({ timeout: 20_000 });
  await expect(page.getByTestId("person-name")).toBeVisible();
  await signIn(signInPage, ADMIN);
  const back = await fetch(`http://localhost:${E2E_PORT}/api/v1/bot_users?limit=1`, { headers: { Authorization: `Bearer ${apiKey}` } });
  expect(back.status).toBe(200);
  await sql`DELETE FROM credentials WHERE id = ${keyId}`;
});

/** A statement on the server's maintenance database (the e2e database itself may be closed). */
async function sqlAdmin(statement: string): Promise<void> {
  const url = new URL(e2eDatabaseUrl());
  url.pathname = "/postgres";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
