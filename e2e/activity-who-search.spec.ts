import { expect, test } from "@playwright/test";
import { sql } from "./support/db";
import { openActivityFilters } from "./support/activity";
import { ADMIN, signIn } from "./support/session";
import { acmeId, hex, retireBots, stamp } from "./support/users";

// /activity's "Done by" and "Concerning bot" filters with more bots than the page lists: the page
// sends a bounded list (the most recently active) and finds any other by name on demand.

test("with 80 more bots, /activity lists at most 25 per filter and finds the others by name, then filters by the one chosen", async ({ page }) => {
  const prefix = `e2e-who-${stamp()}`;
  const account = await acmeId();
  const target = { id: `bot_${hex(11)}`, name: `${prefix}-needle` };
  await sql`
    INSERT INTO principals (id, kind, name, name_key, account_id, last_activity_at)
    SELECT 'bot_' || left(md5(${prefix} || n), 22), 'bot', ${prefix} || '-' || n, ${prefix} || '-' || n, ${account}, now() - n * interval '1 second'
    FROM generate_series(1, 80) n`;
  // Long idle: never among the bots the page lists. One event of it to find.
  await sql`INSERT INTO principals (id, kind, name, name_key, account_id, last_activity_at, created_at)
    VALUES (${target.id}, 'bot', ${target.name}, ${target.name}, ${account}, now() - interval '300 days', now() - interval '300 days')`;
  await sql`INSERT INTO events (id, account_id, type, principal_id, source, subject_id, subject_name, subject_kind, bot_id)
    VALUES (${`ev_${hex(11)}`}, ${account}, 'bot.renamed', ${target.id}, 'api', ${target.id}, ${target.name}, 'bot', ${target.id})`;
  try {
    await signIn(page, ADMIN);
    await page.goto("/activity");
    await openActivityFilters(page);
    const filters = page.getByTestId("activity-filters");
    const doneBy = filters.getByLabel("Done by");
    const bots = doneBy.locator('optgroup[label="Bots"] option');
    await expect(bots).toHaveCount(25);
    await expect(filters.getByLabel("Concerning bot").locator("option")).toHaveCount(26);
    await expect(doneBy.locator("option", { hasText: target.name })).toHaveCount(0);

    await filters.getByRole("searchbox", { name: "Find a bot or person by name" }).fill("NEEDLE");
    await expect(filters.getByText("1 match in the list above")).toBeVisible();
    await expect(doneBy.locator("option")).toHaveText(["Anyone", target.name]);
    await doneBy.selectOption({ label: target.name });
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(new RegExp(`[?&]principal=${target.id}`));
    await expect(page.getByTestId("event-row")).toHaveCount(1);
    // The page with the filter set keeps it selectable though it is not among the listed bots.
    await expect(page.getByTestId("activity-filter-bar").getByTestId("active-filter")).toHaveText([`Done by: ${target.name}`]);
    await openActivityFilters(page);
    await expect(page.getByTestId("activity-filters").getByLabel("Done by")).toHaveValue(target.id);
  } finally {
    await retireBots(prefix);
  }
});

test("find by name answers text no name can hold (a NUL, control characters) as no search, not an error", async ({ page }) => {
  await signIn(page, ADMIN);
  const plain = await page.request.get("/activity/principals");
  expect(plain.status()).toBe(200);
  for (const q of ["\u0000", "a\u0000b", "\u001b[31m"]) {
    const res = await page.request.get(`/activity/principals?q=${encodeURIComponent(q)}`);
    expect(res.status(), JSON.stringify(q)).toBe(200);
    expect(await res.json()).toEqual(await plain.json());
  }
  expect((await page.request.get(`/activity/principals?q=${"x".repeat(101)}`)).status()).toBe(400);
});
