import { expect, test, type Page } from "@playwright/test";
import { sql } from "./support/db";
import { openActivityFilters } from "./support/activity";
import { ADMIN, MEMBER, signIn } from "./support/session";
import { acmeId, hex, insertBots, stamp, toast } from "./support/users";

// The audit log (/activity), an event's detail, the export and a deleted bot's
// tombstone. Each test makes its own bot under a unique name and filters on it.

const rows = (page: Page) => page.getByTestId("event-row");

async function renameOnItsPage(page: Page, id: string, to: string) {
  await page.goto(`/users/bots/${id}`);
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByTestId("rename-bot-dialog").getByLabel("Name").fill(to);
  await page.getByTestId("rename-bot-dialog").getByRole("button", { name: "Rename" }).click();
  await expect(page.getByTestId("bot-name")).toHaveText(to);
}

test("the audit log filters by bot and category in the URL, opens an event's detail, and exports exactly the filtered view", async ({ page }) => {
  // About 15 page loads and two exports: 33 s on this 2-core machine at load average 5 (30 s is the default).
  test.setTimeout(90_000);
  const name = `e2e-audit-${stamp()}`;
  const [bot] = await insertBots([name]);
  const account = await acmeId();
  await signIn(page, ADMIN);
  await renameOnItsPage(page, bot!.id, `${name}-v2`);
  // The bot's own chart counts its rename.
  await expect(page.getByTestId("events-chart").locator("figcaption")).toContainText("1 event ·");
  for (let i = 0; i < 3; i++) {
    await sql`INSERT INTO events (id, account_id, type, principal_id, source, bot_id, credential_id, credential_display, ip, data, created_at)
      VALUES (${`ev_${hex(11)}`}, ${account}, 'credential.updated', ${bot!.id}, 'api', ${bot!.id}, 'ak_e2e', 'bdak_…e2e1', '192.0.2.77',
              ${JSON.stringify({ kind: "api_key", before: { metadata: `deploy ${i}` }, after: { metadata: `deploy ${i + 1}` } })}, now() - ${`${i + 1} minutes`}::interval)`;
  }

  // From the bot's page to the audit log, filtered on it.
  await page.getByTestId("bot-activity-link").click();
  await expect(page).toHaveURL(new RegExp(`/activity\\?bot=${bot!.id}$`));
  await expect(rows(page)).toHaveCount(4);
  await expect(page.getByTestId("events-chart")).toContainText("events");
  await expect(rows(page).first()).toContainText("Bot renamed");
  await expect(rows(page).first()).toContainText("Ada Admin");
  await expect(rows(page).nth(1)).toContainText("Credential updated");
  await expect(rows(page).nth(1)).toContainText("bdak_…e2e1");
  await expect(rows(page).nth(1)).toContainText("192.0.2.77");

  // Category in the form: the URL holds both filters; back returns to the previous view.
  // The filters are behind a bar that names the ones in force.
  await expect(page.getByTestId("activity-filter-bar").getByTestId("active-filter")).toHaveText([`Concerning bot: ${name}-v2`]);
  await openActivityFilters(page);
  await page.getByTestId("activity-filters").getByLabel("Category").selectOption("credentials");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/category=credentials/);
  await expect(page).toHaveURL(new RegExp(`bot=${bot!.id}`));
  await expect(rows(page)).toHaveCount(3);
  await openActivityFilters(page);
  await page.getByTestId("activity-filters").getByLabel("Category").selectOption("people");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByTestId("activity-empty")).toContainText("No events match these filters.");
  await page.goBack();
  await expect(rows(page)).toHaveCount(3);
  // The credential used, typed in: the same three requests, in the bot's filter or without it.
  await page.goto("/activity");
  await openActivityFilters(page);
  await page.getByTestId("activity-filters").getByRole("textbox", { name: /^Credential/ }).fill("ak_e2e");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/credential=ak_e2e/);
  await expect(rows(page)).toHaveCount(3);
  await page.goto(`/activity?bot=${bot!.id}&category=credentials`);

  // Export of this view: the same rows in the same order, and the export is itself an event.
  const shown = await rows(page).evaluateAll((els) => els.map((el) => el.getAttribute("data-event-id")));
  const ndjson = await page.request.get(`/activity/export?format=ndjson&bot=${bot!.id}&category=credentials`);
  expect(ndjson.headers()["content-type"]).toContain("application/x-ndjson");
  const exported = (await ndjson.text()).trim().split("\n").map((l) => JSON.parse(l) as { id: string; ip: string });
  expect(exported.map((e) => e.id)).toEqual(shown);
  expect(exported[0]!.ip).toBe("192.0.2.77");
  const csv = await page.request.get(`/activity/export?format=csv&bot=${bot!.id}&category=credentials`);
  expect(csv.headers()["content-disposition"]).toMatch(/attachment; filename="botdesk-activity-.*\.csv"/);
  expect((await csv.text()).trim().split("\r\n")).toHaveLength(4);
  await page.goto("/activity?type=events.exported");
  await expect(rows(page).first()).toContainText("Activity exported");

  // The rename's detail: every field and the change, before → after, with the user agent.
  await page.goto(`/activity?bot=${bot!.id}&type=bot.renamed`);
  await rows(page).first().getByTestId("event-label").click();
  await expect(page.getByTestId("event-title")).toContainText(`Bot renamed: ${name}-v2`);
  const diff = page.getByTestId("event-diff");
  await expect(diff.getByRole("row", { name: /name/ })).toContainText(name);
  await expect(diff.getByRole("row", { name: /name/ })).toContainText(`${name}-v2`);
  // The list says it too, without opening the row.
  await page.goBack();
  await expect(rows(page).first().getByTestId("event-summary")).toHaveText(`name: ${name} → ${name}-v2`);
  await rows(page).first().getByTestId("event-label").click();
  await expect(page.getByTestId("event-fields")).toContainText("Mozilla");
  await expect(page.getByTestId("event-fields")).toContainText("Dashboard");
  await expect(page.getByTestId("event-bot")).toHaveText(`${name}-v2`);

  // The owner sets the retention; a refused value stays typed; the change is an event.
  await page.goto("/activity");
  const retention = page.getByTestId("retention-form");
  await retention.getByLabel("Keep events for (days)").fill("0");
  await retention.getByRole("button", { name: "Save retention" }).click();
  await expect(retention).toContainText("At least 1 day");
  await expect(retention.getByLabel("Keep events for (days)")).toHaveValue("0");
  await retention.getByLabel("Keep events for (days)").fill("500");
  await retention.getByRole("button", { name: "Save retention" }).click();
  await expect(page.getByTestId("retention-text")).toContainText("kept for 500 days");
  // It is an account setting: Settings → Account shows it and its form too.
  await page.goto("/settings");
  await expect(page.getByTestId("settings-retention-text")).toContainText("kept for 500 days");
  await page.goto("/activity?type=account.updated");
  await rows(page).first().getByTestId("event-label").click();
  await expect(page.getByTestId("event-diff")).toContainText("eventRetentionDays");
  await expect(page.getByTestId("event-diff")).toContainText("500");
  await sql`UPDATE accounts SET event_retention_days = 400 WHERE id = ${account}`;
});

test("a deleted bot's page is its tombstone with its full history; links to it never 404", async ({ page }) => {
  const name = `e2e-tomb-${stamp()}`;
  const [bot] = await insertBots([name]);
  const account = await acmeId();
  // An API key of the bot, which it used an hour ago (an API write recorded with the key).
  const keyId = `ak_${hex(11)}`;
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
    VALUES (${keyId}, ${account}, 'api_key', ${bot!.id}, 'tombstone key', 'not-a-real-hash', 'k9Zb')`;
  await sql`INSERT INTO events (id, account_id, type, principal_id, source, subject_id, subject_name, subject_kind, bot_id, credential_id, credential_display, data, created_at)
    VALUES (${`ev_${hex(11)}`}, ${account}, 'credential.updated', ${bot!.id}, 'api', ${keyId}, 'API key bdak_…k9Zb', 'credential', ${bot!.id}, ${keyId}, 'bdak_…k9Zb',
            ${JSON.stringify({ kind: "api_key", before: { metadata: "v1" }, after: { metadata: "v2" } })}, now() - interval '1 hour')`;
  await signIn(page, ADMIN);
  await renameOnItsPage(page, bot!.id, `${name}-v2`);
  await page.getByRole("button", { name: "Delete" }).click();
  const confirm = page.getByTestId("delete-bots-dialog");
  await confirm.getByRole("textbox").fill(`${name}-v2`);
  await confirm.getByRole("button", { name: "Delete bot" }).click();
  await expect(toast(page, `Deleted ${name}-v2 and 1 credential.`)).toBeVisible();

  await page.goto(`/users/bots/${bot!.id}`);
  await expect(page.getByTestId("tombstone-summary")).toContainText(`${name}-v2 — deleted`);
  await expect(page.getByTestId("tombstone-summary")).toContainText("by Ada Admin");
  await expect(page.getByRole("button", { name: "Rename" })).toHaveCount(0);
  await expect(rows(page)).toHaveCount(3);
  await expect(rows(page).first()).toContainText("Bot deleted");
  await expect(rows(page).first().getByTestId("event-summary")).toHaveText("credentials deleted with it (1): bdak_…k9Zb");
  await expect(rows(page).nth(1)).toContainText("Bot renamed");
  await expect(rows(page).nth(1).getByTestId("event-summary")).toHaveText(`name: ${name} → ${name}-v2`);
  // The key is gone; what it was used for still names it, and the tombstone lists it, linked to its events.
  await expect(rows(page).nth(2).getByTestId("event-credential")).toHaveText("bdak_…k9Zb");
  await expect(page.getByTestId("tombstone-credentials")).toHaveText("API key bdak_…k9Zb");
  await page.getByTestId("tombstone-credentials").getByRole("link", { name: "bdak_…k9Zb" }).click();
  await expect(page).toHaveURL(new RegExp(`/activity\\?credential=${keyId}$`));
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText("Credential updated");
  await page.goBack();

  // In the audit log the deleted bot is still a filter choice and a link.
  // (The filter offers the most recently active bots; where the account has more, it finds the others by name.)
  await page.goto("/activity");
  await openActivityFilters(page);
  const filters = page.getByTestId("activity-filters");
  const findBot = filters.getByTestId("bot-search");
  if (await findBot.isVisible()) await findBot.fill(`${name}-v2`);
  await expect(filters.getByLabel("Concerning bot").locator("option", { hasText: `${name}-v2 (deleted)` })).toHaveCount(1);
  await page.goto(`/activity?bot=${bot!.id}`);
  await rows(page).first().getByTestId("event-subject").click();
  await expect(page).toHaveURL(new RegExp(`/users/bots/${bot!.id}$`));
  await expect(page.getByTestId("bot-tombstone")).toBeVisible();

  await page.setViewportSize({ width: 390, height: 900 });
  await page.screenshot({ path: "test-results/activity-tombstone-390.png", fullPage: true });
});

test("members see every event but not others' IP addresses; new events are announced while the page is open", async ({ page }) => {
  // Two waits for the 15 s poll (the audit log, then the bot's page).
  test.setTimeout(90_000);
  const name = `e2e-live-${stamp()}`;
  const [bot] = await insertBots([name]);
  const account = await acmeId();
  await sql`INSERT INTO events (id, account_id, type, principal_id, source, bot_id, ip, created_at)
    VALUES (${`ev_${hex(11)}`}, ${account}, 'credential.refused', ${bot!.id}, 'api', ${bot!.id}, '192.0.2.88', now() - interval '1 minute')`;
  // Signed out: no export, no count.
  expect((await page.request.get("/activity/export?format=csv")).status()).toBe(401);
  expect((await page.request.get("/activity/new-count?since=1.ev_x")).status()).toBe(401);
  await signIn(page, MEMBER);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Activity" }).click();
  await expect(page).toHaveURL(/\/activity$/);
  await page.goto(`/activity?bot=${bot!.id}`);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText(name);
  await expect(rows(page).first().getByTestId("event-ip")).toHaveCount(0);

  await sql`INSERT INTO events (id, account_id, type, principal_id, source, bot_id, created_at)
    VALUES (${`ev_${hex(11)}`}, ${account}, 'credential.refused', ${bot!.id}, 'api', ${bot!.id}, now())`;
  await expect(page.getByTestId("new-events")).toHaveText(/1 new event/, { timeout: 25_000 });
  await page.getByTestId("new-events").click();
  await expect(rows(page)).toHaveCount(2);

  // The bot's own page refreshes itself while open (every 15 s, for its live sessions): a new event shows at the top without a reload.
  await page.goto(`/users/bots/${bot!.id}`);
  await expect(rows(page)).toHaveCount(2);
  const newest = `ev_${hex(11)}`;
  await sql`INSERT INTO events (id, account_id, type, principal_id, source, bot_id, data, created_at)
    VALUES (${newest}, ${account}, 'credential.refused', ${bot!.id}, 'api', ${bot!.id}, ${JSON.stringify({ reason: "revoked", path: "/api/v1/bot_users" })}, now())`;
  await expect(rows(page)).toHaveCount(3, { timeout: 25_000 });
  await expect(rows(page).first()).toHaveAttribute("data-event-id", newest);
  await expect(rows(page).first().getByTestId("event-summary")).toHaveText("reason: revoked · path: /api/v1/bot_users");

  // The Overview's recent activity leads to the audit log.
  await page.goto("/");
  await page.getByTestId("overview-activity-link").click();
  await expect(page).toHaveURL(/\/activity$/);

  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto("/activity");
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(scroll).toBeLessThanOrEqual(client);
    await page.screenshot({ path: `test-results/activity-${width}.png`, fullPage: true });
  }
});
