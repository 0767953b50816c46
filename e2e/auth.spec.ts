import { expect, test } from "@playwright/test";
import { encode } from "next-auth/jwt";
import { E2E_AUTH_SECRET, E2E_PORT } from "./support/constants";
import { sql } from "./support/db";
import { issueSecret } from "../lib/domain/credentials/token-format";
import { newId } from "../lib/ids";
import { ADMIN, MEMBER, signIn } from "./support/session";
import { acmeId } from "./support/users";

const BOT_MESSAGE = "Bot users cannot sign in to the dashboard";

async function refusalsOf(botName: string): Promise<number> {
  const rows = await sql<{ n: string }>`
    SELECT count(*) AS n FROM events e JOIN principals p ON p.id = e.principal_id
    WHERE p.name = ${botName} AND e.type = 'login.refused'`;
  return Number(rows[0]?.n ?? 0);
}

test("a person signs in, sees the account and its seats, and signs out", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);

  await signIn(page, ADMIN);
  await expect(page).toHaveURL(`http://localhost:${E2E_PORT}/`);
  await expect(page.getByTestId("account-name")).toHaveText("Acme");
  // Specs that run earlier leave bots behind: count them rather than assume the demo's three.
  const [row] = await sql<{ n: number }>`SELECT count(*)::int AS n FROM principals p JOIN accounts a ON a.id = p.account_id
    WHERE a.name = 'Acme' AND p.kind = 'bot' AND p.deleted_at IS NULL`;
  const bots = `${row!.n} ${row!.n === 1 ? "bot" : "bots"}`;
  await expect(page.getByTestId("seat-summary")).toHaveText(`2 of 5 seats used · ${bots} (bots don't use seats)`);
  await expect(page.getByTestId("bot-count")).toHaveText(bots);
  // Specs that run earlier (api, activity) add events: the demo's own may have left the Overview's newest 15.
  await expect(page.getByTestId("recent-activity").getByTestId("event-row").first()).toBeVisible();
  await page.goto("/activity?type=agent.session_started");
  await expect(page.getByTestId("recent-activity")).toContainText("edge-agent-prod");
  await page.goto("/");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("a wrong password gets one generic message and keeps the typed email", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(MEMBER.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("sign-in-error")).toHaveText("Wrong email or password.");
  await expect(page.getByLabel("Email")).toHaveValue(MEMBER.email);

  await page.getByLabel("Email").fill("nobody@example.com");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("sign-in-error")).toHaveText("Wrong email or password.");
});

test("a login that is not an email is refused as such and recorded nowhere; a bot's secret as the password is recorded against its bot", async ({ page }) => {
  // Older data may hold a bot named like a mistyped email: typing that tells nobody about bots.
  const typo = `admin @example.com`;
  await sql`INSERT INTO principals (id, kind, name, name_key, account_id) VALUES (${newId("bot")}, 'bot', ${typo}, ${typo}, ${await acmeId()})`;
  const before = { typo: await refusalsOf(typo), bot: await refusalsOf("ci-deployer") };
  await page.goto("/sign-in");
  for (const login of [typo, "ci-deployer"]) {
    await page.getByLabel("Email").fill(login);
    await page.getByLabel("Password").fill("whatever-it-is");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText("Enter a valid email")).toBeVisible();
    await expect(page.getByTestId("sign-in-error")).toHaveCount(0);
    await expect(page.getByLabel("Email")).toHaveValue(login);
  }
  expect(await refusalsOf(typo)).toBe(before.typo);
  expect(await refusalsOf("ci-deployer")).toBe(before.bot);

  // A secret of ci-deployer's typed as the password with an email: answered like a wrong password, recorded against the bot.
  const keyId = newId("apiKey");
  const { token, hash, hint } = issueSecret("api_key", keyId);
  const [bot] = await sql<{ id: string }>`SELECT id FROM principals WHERE name = 'ci-deployer'`;
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
    VALUES (${keyId}, ${await acmeId()}, 'api_key', ${bot!.id}, 'e2e pasted', ${hash}, ${hint})`;
  await page.getByLabel("Email").fill(`someone-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("sign-in-error")).toHaveText("Wrong email or password.");
  expect(await refusalsOf("ci-deployer")).toBe(before.bot + 1);

  // The admin sees the refused attempt attributed to the bot.
  await signIn(page, ADMIN);
  await expect(page.getByTestId("recent-activity").locator("li").first()).toContainText("ci-deployer");
  await expect(page.getByTestId("recent-activity").locator("li").first()).toContainText("login.refused");
});

test("a session cookie whose subject is a bot is refused on the next request and recorded once", async ({ page, context }) => {
  const [bot] = await sql<{ id: string }>`SELECT id FROM principals WHERE name = 'billing-sync'`;
  const before = await refusalsOf("billing-sync");
  const token = await encode({ token: { sub: bot!.id, name: "billing-sync" }, secret: E2E_AUTH_SECRET, salt: "authjs.session-token" });
  await context.addCookies([{ name: "authjs.session-token", value: token, url: `http://localhost:${E2E_PORT}` }]);

  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in\?error=bot$/);
  await expect(page.getByTestId("sign-in-error")).toHaveText(BOT_MESSAGE);
  expect(await refusalsOf("billing-sync")).toBe(before + 1);
  // The refused cookie is gone: the next visit is a plain sign-in, not another refusal.
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(await refusalsOf("billing-sync")).toBe(before + 1);
});

test("a deactivated person's open session stops working on the very next request", async ({ page }) => {
  await signIn(page, MEMBER);
  await sql`UPDATE principals SET status = 'deactivated' WHERE email = ${MEMBER.email}`;
  try {
    await page.reload();
    await expect(page).toHaveURL(/\/sign-in\?error=deactivated$/);
    await expect(page.getByTestId("sign-in-error")).toContainText("Your user has been deactivated");
  } finally {
    await sql`UPDATE principals SET status = 'active' WHERE email = ${MEMBER.email}`;
  }
  await signIn(page, MEMBER);
});

test("repeated failed sign-ins for one email are rate limited with a retry time", async ({ page }) => {
  const email = `limited-${Date.now()}@example.com`;
  await page.goto("/sign-in");
  for (let i = 0; i < 5; i++) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(`guess-${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    // The message reads the same after every attempt, so wait for this attempt's answer: React
    // clears the password when the action is done (typing earlier would be wiped, sending none).
    await expect(page.getByLabel("Password")).toHaveValue("");
    await expect(page.getByTestId("sign-in-error")).toHaveText("Wrong email or password.");
  }
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("guess-final");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("sign-in-error")).toHaveText(/^Too many sign-in attempts\. Try again in \d+ s\.$/);
});

test("the dashboard is readable at phone width", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, ADMIN);
  await expect(page.getByTestId("seat-summary")).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("pages refuse to be framed by another site and are not sniffed", async ({ request }) => {
  for (const path of ["/sign-in", "/"]) {
    const response = await request.get(path, { maxRedirects: 0 });
    expect(response.headers()["x-frame-options"]).toBe("DENY");
    expect(response.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(response.headers()["x-content-type-options"]).toBe("nosniff");
  }
});
