import { expect, test, type Page } from "@playwright/test";
import { sql } from "./support/db";
import { ADMIN, MEMBER, signIn } from "./support/session";
import { acmeId, botRow, insertBots, retireBots, stamp } from "./support/users";

// The Usage page, the over-quota marks and banner, and the owner's account
// settings. Every change is put back at the end (the account stays "Acme" with
// the team plan's quotas) so later specs see the demo account as seeded.

const form = (page: Page) => page.getByTestId("account-settings-form");
const SHOTS = process.env.E2E_SHOTS;

async function shoot(page: Page, name: string) {
  if (!SHOTS) return;
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

test("an owner sets the quotas on /settings; /usage marks who pushed the account over, admins see the banner, and the seat limit never goes below the seats in use", async ({ page }) => {
  const name = `e2e-usage-${stamp()}`;
  const [bot] = await insertBots([name]);
  const account = await acmeId();
  await sql`INSERT INTO usage_daily (account_id, principal_id, day, api_requests, sessions, bytes_in, bytes_out)
    VALUES (${account}, ${bot!.id}, (now() AT TIME ZONE 'utc')::date, 50, 2, 3000000, 1000000)`;
  const [{ n: eventsBefore }] = (await sql<{ n: string }>`SELECT count(*) AS n FROM events WHERE account_id = ${account} AND type = 'account.updated'`) as [{ n: string }];
  try {
    await signIn(page, ADMIN);
    // The bots table shows the bot's usage this month.
    await page.goto("/users");
    await expect(botRow(page, name)).toContainText("50 API · 2 sess. · 4.0 MB");

    await page.goto("/usage");
    await expect(page.getByTestId("quota-meters").locator("li")).toHaveCount(4);
    await expect(page.getByTestId("quota-apiRequests")).toContainText("of 1,000,000");
    await expect(page.getByTestId("usage-table").locator(`[data-principal="${bot!.id}"]`)).toContainText("50");
    await expect(page.getByTestId("over-quota-banner")).toHaveCount(0);
    await expect(page.getByTestId("usage-chart")).toBeVisible();
    await shoot(page, "usage");

    // Seat limit below the seats in use: refused, with the number in use.
    await page.goto("/settings");
    await form(page).getByLabel("Seat limit").fill("1");
    await form(page).getByRole("button", { name: "Save account settings" }).click();
    await expect(form(page)).toContainText(/At least \d+ \(the seats in use\)/);
    await expect(form(page).getByLabel("Seat limit")).toHaveValue("1");
    // A quota of 10 API requests: the account is over at once.
    await form(page).getByLabel("Seat limit").fill("5");
    await form(page).getByLabel("API requests").fill("10");
    await form(page).getByLabel("Account name").fill("Acme e2e");
    await form(page).getByRole("button", { name: "Save account settings" }).click();
    await expect(form(page)).toContainText("Account settings saved.");
    const [saved] = await sql<{ name: string; seat_limit: number }>`SELECT name, seat_limit FROM accounts WHERE id = ${account}`;
    expect(saved).toEqual({ name: "Acme e2e", seat_limit: 5 });
    // The header and the banner follow without reloading.
    await expect(page.getByTestId("account-name")).toHaveText("Acme e2e");
    await expect(page.getByTestId("over-quota-banner")).toContainText("over its monthly quota for API requests");
    await shoot(page, "settings");

    await page.getByTestId("over-quota-banner").getByRole("link", { name: "See who used what" }).click();
    await expect(page).toHaveURL(/\/usage$/);
    await expect(page.getByTestId("quota-apiRequests")).toHaveAttribute("data-over", "true");
    // Our bot's usage came today, after the quota was passed: all 50 of it is beyond it.
    await expect(page.getByTestId("usage-table").locator(`[data-principal="${bot!.id}"]`).getByTestId("over-apiRequests")).toHaveText("over +50");
    await shoot(page, "usage-over");

    const [{ n: eventsAfter }] = (await sql<{ n: string }>`SELECT count(*) AS n FROM events WHERE account_id = ${account} AND type = 'account.updated'`) as [{ n: string }];
    expect(Number(eventsAfter)).toBe(Number(eventsBefore) + 1);
    const [event] = await sql<{ data: { before: Record<string, unknown>; after: Record<string, unknown> } }>`
      SELECT data FROM events WHERE account_id = ${account} AND type = 'account.updated' ORDER BY created_at DESC LIMIT 1`;
    expect(event!.data).toEqual({ before: { name: "Acme", quotas: { apiRequests: 1_000_000 } }, after: { name: "Acme e2e", quotas: { apiRequests: 10 } } });

    // Put it back through the form: the banner goes at once.
    await page.goto("/settings");
    await form(page).getByLabel("API requests").fill("1000000");
    await form(page).getByLabel("Account name").fill("Acme");
    await form(page).getByRole("button", { name: "Save account settings" }).click();
    await expect(form(page)).toContainText("Account settings saved.");
    await expect(page.getByTestId("over-quota-banner")).toHaveCount(0);
  } finally {
    await sql`UPDATE accounts SET name = 'Acme', seat_limit = 5, quotas = ${JSON.stringify({ sessions: 50, endpoints: 200, bandwidthGb: 100, apiRequests: 1_000_000 })}::jsonb WHERE id = ${account}`;
    await sql`DELETE FROM usage_daily WHERE principal_id = ${bot!.id}`;
    await retireBots(name);
  }
});

test("with 1,200 bots using the API this month, /usage shows 50 at a time, pages forward and back, stays small, and the phone layout shows the same rows", async ({ page }) => {
  const prefix = `e2e-usage-many-${stamp()}`;
  const account = await acmeId();
  // One statement, as a month of metering would leave them: each bot with its own bandwidth, so the order is known.
  await sql`
    WITH bots AS (
      INSERT INTO principals (id, kind, name, name_key, account_id)
      SELECT 'bot_' || left(md5(${prefix} || n), 22), 'bot', ${prefix} || '-' || lpad(n::text, 4, '0'), ${prefix} || '-' || lpad(n::text, 4, '0'), ${account}
      FROM generate_series(1, 1200) n RETURNING id, name)
    INSERT INTO usage_daily (account_id, principal_id, day, api_requests, bytes_in)
    SELECT ${account}, id, (now() AT TIME ZONE 'utc')::date, 3, 1000 + right(name, 4)::int FROM bots`;
  try {
    await signIn(page, ADMIN);
    await page.goto("/usage");
    const rows = page.getByTestId("usage-table").getByTestId("usage-row");
    await expect(rows).toHaveCount(50);
    const range = page.getByTestId("usage-range");
    await expect(range).toHaveText(/^1–50 of 1,2\d\d$/);
    const ids = async () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-principal")));
    const first = await ids();
    // The chart names six and sums the rest.
    await expect(page.getByTestId("usage-chart")).toContainText(/1,\d{3} others/);
    await shoot(page, "usage-many");

    await page.getByTestId("usage-page-next").click();
    await expect(page).toHaveURL(/\/usage\?metric=apiRequests&after=/);
    await expect(range).toHaveText(/^51–100 of 1,2\d\d$/);
    const second = await ids();
    expect(second).toHaveLength(50);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    await page.getByTestId("usage-page-next").click();
    await expect(range).toHaveText(/^101–150 of /);
    await page.getByTestId("usage-page-previous").click();
    await expect(range).toHaveText(/^51–100 of /);
    expect(await ids()).toEqual(second);
    await page.getByTestId("usage-page-previous").click();
    await expect(range).toHaveText(/^1–50 of /);
    expect(await ids()).toEqual(first);

    // The HTML of the page, as a browser gets it: bounded by the page, not by the 1,200 principals (before: ~10 MB).
    const html = await (await page.request.get("/usage")).text();
    expect(html.length).toBeLessThan(250_000);
    expect(html.match(/data-testid="usage-row"/g)).toHaveLength(50);

    // At phone width the same rows, as cards: each label beside its value, nothing wider than the screen.
    expect(await rows.first().locator("td").last().evaluate((td) => getComputedStyle(td, "::before").content)).toBe("none");
    await page.setViewportSize({ width: 390, height: 900 });
    await expect(rows).toHaveCount(50);
    const label = () => rows.first().locator("td").last().evaluate((td) => getComputedStyle(td, "::before").content);
    expect(await label()).toBe('"API requests"');
    await expect(page.getByTestId("usage-table").locator("thead")).not.toBeInViewport();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const box = await rows.first().boundingBox();
    expect(box!.width).toBeLessThanOrEqual(390);
  } finally {
    await sql`DELETE FROM usage_daily WHERE account_id = ${account} AND principal_id IN (SELECT id FROM principals WHERE name LIKE ${`${prefix}%`})`;
    await retireBots(prefix);
  }
});

test("a member sees the usage of the bots and their own, and no account settings", async ({ page }) => {
  await signIn(page, MEMBER);
  await page.goto("/settings");
  await expect(page.getByTestId("account-settings-form")).toHaveCount(0);
  await page.goto("/usage");
  await expect(page.getByTestId("quota-meters").locator("li")).toHaveCount(4);
  await expect(page.getByText("Your own usage and the bots' (admins see everyone's)")).toBeVisible();
  await expect(page.getByText("Owners change the quotas in their settings.")).toBeVisible();
});

test("the Overview lists what needs attention, each linking to the filtered list", async ({ page }) => {
  await signIn(page, ADMIN);
  const insights = page.getByTestId("insights");
  // The demo's canary authtoken expires in 5 days; Max's laptop token was never used.
  await expect(page.getByTestId("insight-expiring")).toContainText("canary (temporary) · edge-agent-prod");
  await expect(page.getByTestId("insight-never-used")).toContainText("Max's laptop · Max Member");
  await shoot(page, "overview");
  await insights.getByRole("link", { name: "Rotate or extend them" }).click();
  await expect(page).toHaveURL(/\/credentials\?status=expiring$/);
  await expect(page.getByTestId("credentials-table")).toContainText("canary (temporary)");
});
