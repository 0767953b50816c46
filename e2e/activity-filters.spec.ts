import { expect, test, type Page } from "@playwright/test";
import { sql } from "./support/db";
import { openActivityFilters } from "./support/activity";
import { ADMIN, signIn } from "./support/session";
import { acmeId, hex, insertBots, retireBots, stamp } from "./support/users";

// /activity as an admin works it: the log first, filters behind a bar that names them, every
// unknown or impossible filter said out loud, and summaries that show times and credentials the
// way the rest of the page does.

const rows = (page: Page) => page.getByTestId("event-row");
const bar = (page: Page) => page.getByTestId("activity-filter-bar");


test("filters say what they did: unknown and invalid ones are named, an impossible range refused, only set filters go in the URL, a credential is found as tables show it", async ({ page }) => {
  const name = `e2e-filters-${stamp()}`;
  const [bot] = await insertBots([name]);
  const account = await acmeId();
  const hint = hex(2);
  const keyId = `ak_${hex(11)}`;
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
    VALUES (${keyId}, ${account}, 'api_key', ${bot!.id}, 'filter me', 'not-a-real-hash', ${hint})`;
  for (let i = 0; i < 2; i++) {
    await sql`INSERT INTO events (id, account_id, type, principal_id, source, bot_id, credential_id, credential_display, ip, data, created_at)
      VALUES (${`ev_${hex(11)}`}, ${account}, 'credential.refused', ${bot!.id}, 'api', ${bot!.id}, ${keyId}, ${`bdak_…${hint}`}, '192.0.2.31',
              ${JSON.stringify({ reason: "revoked", path: "/api/v1/bot_users" })}, now() - ${`${i + 1} minutes`}::interval)`;
  }
  try {
    await signIn(page, ADMIN);

    // Invalid ids are named, not silently dropped; the bar opens on them.
    await page.goto("/activity?principal=nope&bot=bogus");
    const notices = page.getByTestId("filter-notices");
    await expect(notices).toContainText("Done by: “nope” is not the id of a person or bot: this filter was not applied.");
    await expect(notices).toContainText("Concerning bot: “bogus” is not the id of a bot: this filter was not applied.");
    await expect(bar(page)).toHaveAttribute("open", "");
    // A well-formed id nobody has filters to nothing, and says why.
    await page.goto("/activity?bot=bot_doesnotexist1");
    await expect(page.getByTestId("filter-notices")).toContainText("no bot of this account has the id “bot_doesnotexist1”, so no event matches it.");
    await expect(rows(page)).toHaveCount(0);

    // "From" after "To" is refused, not answered with "No events match".
    await page.goto("/activity?from=2026-12-07&to=2026-12-01");
    await expect(page.getByTestId("range-error")).toHaveText("“From” (2026-12-07) is after “To” (2026-12-01): no event can be in that range. Swap them or change one.");
    await expect(rows(page)).toHaveCount(0);
    await expect(page.getByTestId("activity-empty")).toHaveCount(0);

    // Applying puts only the filters that were set in the URL.
    await page.goto("/activity");
    let form = await openActivityFilters(page);
    await form.getByLabel("Category").selectOption("credentials");
    await form.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/\/activity\?category=credentials$/);
    await expect(bar(page).getByTestId("active-filter")).toHaveText(["Category: Credentials"]);

    // The credential as tables show it (bdak_…hint), typed with "...", finds it; the bar names it.
    await page.goto("/activity");
    form = await openActivityFilters(page);
    await form.getByRole("textbox", { name: /^Credential/ }).fill(`bdak_...${hint}`);
    await form.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(new RegExp(`/activity\\?credential=bdak_`));
    await expect(rows(page)).toHaveCount(2);
    await expect(bar(page).getByTestId("active-filter")).toHaveText([`Credential: bdak_…${hint}`]);
    await expect(page.getByTestId("filter-notices")).toHaveCount(0);
    form = await openActivityFilters(page);
    await expect(form.getByRole("textbox", { name: /^Credential/ })).toHaveValue(`bdak_…${hint}`);
    // Something that is neither an id nor a credential as shown is named.
    await page.goto("/activity?credential=hello");
    await expect(page.getByTestId("filter-notices")).toContainText("Credential: “hello” is neither a credential's id");
  } finally {
    await retireBots(name);
  }
});

test("/activity shows the log first: the first event is on the first screen at 1280×800 and on a phone", async ({ page }, testInfo) => {
  await signIn(page, ADMIN);
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.goto("/activity");
    const first = rows(page).first();
    await expect(first).toBeVisible();
    const box = (await first.boundingBox())!;
    expect(box.y + box.height, `the first event ends at ${box.y + box.height} px of ${height}`).toBeLessThanOrEqual(height);
    await page.screenshot({ path: testInfo.outputPath(`activity-${width}.png`) });
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(scroll).toBeLessThanOrEqual(client);
  }
});

test("summaries show times in the viewer's zone and credentials as tables do; a row's time gives its UTC day on hover", async ({ browser }, testInfo) => {
  const context = await browser.newContext({ timezoneId: "America/New_York", locale: "en-US" });
  const page = await context.newPage();
  const name = `e2e-summary-${stamp()}`;
  const [bot] = await insertBots([name]);
  const account = await acmeId();
  const [from, to] = [`ak_${hex(11)}`, `ak_${hex(11)}`];
  const eventId = `ev_${hex(11)}`;
  // 00:57 UTC on Jan 6 is 19:57 on Jan 5 in New York.
  await sql`INSERT INTO events (id, account_id, type, principal_id, source, bot_id, subject_id, subject_name, subject_kind, data, created_at)
    VALUES (${eventId}, ${account}, 'credential.rotated', ${bot!.id}, 'api', ${bot!.id}, ${to}, 'API key bdak_…NeW1', 'credential',
            ${JSON.stringify({ kind: "api_key", from, to, fromDisplay: "bdak_…OlD0", toDisplay: "bdak_…NeW1", oldExpiresAt: "2027-01-06T00:57:35.465Z" })},
            '2026-12-07T00:57:00Z')`;
  try {
    await signIn(page, ADMIN);
    await page.goto(`/activity?bot=${bot!.id}`);
    const summary = rows(page).first().getByTestId("event-summary");
    await expect(summary).toHaveText("from: bdak_…OlD0 · to: bdak_…NeW1 · oldExpiresAt: Jan 5, 2027, 19:57 GMT-5");
    await expect(summary.getByRole("link", { name: "bdak_…OlD0" })).toHaveAttribute("href", `/activity?credential=${from}`);
    // The row shows Dec 6 in New York; its hover says the UTC day the chart counts it in.
    const when = rows(page).first().locator("time").last();
    await expect(when).toContainText("Dec 6, 2026, 19:57 GMT-5");
    await expect(when).toHaveAttribute("title", "2026-12-07T00:57:00.000Z · UTC day Dec 7, 2026");
    await page.screenshot({ path: testInfo.outputPath("activity-summary-1280.png") });
  } finally {
    await retireBots(name);
    await context.close();
  }
});
