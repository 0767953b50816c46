import { expect, test, type Locator, type Page } from "@playwright/test";
import { sql } from "./support/db";
import { ADMIN, signIn } from "./support/session";
import { acmeId, hex, insertBots, stamp } from "./support/users";

// Times read the same on every page, in the viewer's zone; the header works at phone width.

/**
 * How the dashboard writes an instant for a viewer in `zone`, worked out here with ICU's own
 * rendering (the app assembles it from numbers, so that server and browser agree to the character).
 */
function viewerText(d: Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "shortOffset" })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  const offset = zone === "UTC" ? "UTC" : parts.timeZoneName!.replace(/^GMT\+0$/, "GMT");
  return `${parts.month} ${parts.day}, ${parts.year}, ${parts.hour}:${parts.minute} ${offset}`;
}

async function expectInstant(time: Locator, at: Date, zone: string) {
  await expect(time).toContainText(viewerText(at, zone));
  await expect(time).not.toContainText(/\b(AM|PM)\b/);
  await expect(time).toHaveAttribute("datetime", at.toISOString());
  // The hover gives the exact instant and the UTC day that charts, day filters and usage count it in.
  const utcDay = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", month: "short", day: "numeric", year: "numeric" }).format(at);
  await expect(time).toHaveAttribute("title", `${at.toISOString()} · UTC day ${utcDay}`);
}

for (const zone of ["America/New_York", "Asia/Kolkata", "UTC"]) {
  test.describe(`one instant, one reading, for a viewer in ${zone}`, () => {
    test.use({ timezoneId: zone, locale: "en-US" });

    test("the same instant reads the same on the Overview, /activity, /users, the bot's page and the event's page, in the viewer's zone with the ISO instant on hover", async ({ page }) => {
      const name = `e2e-when-${stamp()}`;
      const [bot] = await insertBots([name]);
      const account = await acmeId();
      // 37.5 s past a minute (a formatter that rounded would show the next one), and not in the past: the
      // Overview lists the newest 15 events, and the tests before this one may have recorded more than that
      // in the last minutes (CI saw an instant 4 minutes back pushed off the list).
      const minute = Math.floor(Date.now() / 60_000) * 60_000;
      const at = new Date(minute + 37_500 >= Date.now() ? minute + 37_500 : minute + 60_000 + 37_500);
      const eventId = `ev_${hex(11)}`;
      await sql`INSERT INTO events (id, account_id, type, principal_id, source, bot_id, credential_id, credential_display, data, created_at)
        VALUES (${eventId}, ${account}, 'credential.updated', ${bot!.id}, 'api', ${bot!.id}, 'ak_e2e', 'bdak_…e2e1',
                ${JSON.stringify({ kind: "api_key", before: { metadata: "a" }, after: { metadata: "b" } })}, ${at.toISOString()})`;
      await sql`UPDATE principals SET created_at = ${at.toISOString()}, last_activity_at = ${at.toISOString()} WHERE id = ${bot!.id}`;
      await signIn(page, ADMIN);

      const eventTime = (p: Page) => p.locator(`[data-event-id="${eventId}"] time`);
      await page.goto("/");
      await expectInstant(eventTime(page), at, zone);
      // The relative part is the browser's addition, after hydration; the absolute part stays as the server wrote it.
      await expect(eventTime(page)).toContainText(/(ago|just now|in 1 minute) · /);

      await page.goto(`/activity?bot=${bot!.id}`);
      await expectInstant(eventTime(page), at, zone);

      await page.goto(`/users?bq=${name}`);
      const row = page.getByTestId("bots-table").locator("tbody tr").filter({ hasText: name });
      await expectInstant(row.locator("time").filter({ hasText: /UTC|GMT/ }), at, zone);

      await page.goto(`/users/bots/${bot!.id}`);
      await expectInstant(page.getByTestId("bot-created").locator("time"), at, zone);
      await expectInstant(eventTime(page), at, zone);

      await page.goto(`/activity/${eventId}`);
      await expectInstant(page.locator("main time").first(), at, zone);
    });
  });
}

const PHONE = { width: 390, height: 844 };

/** Sideways scrolling a phone user would meet: the page's, or any box in the header's (the nav used to scroll inside itself). */
async function sidewaysScroll(page: Page) {
  return page.evaluate(() => {
    const root = document.scrollingElement!;
    const boxes = [...document.querySelectorAll("header, header *")]
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && ["auto", "scroll"].includes(getComputedStyle(el).overflowX))
      .map((el) => `${el.tagName.toLowerCase()}${el.getAttribute("aria-label") ? `[${el.getAttribute("aria-label")}]` : ""}: ${el.scrollWidth} > ${el.clientWidth}`);
    return { page: root.scrollWidth > window.innerWidth ? `${root.scrollWidth} > ${window.innerWidth}` : null, boxes };
  });
}

test("at 390 px no dashboard page scrolls sideways, the header says who is signed in, and the menu reaches every nav link by keyboard", async ({ page }) => {
  const [bot] = await insertBots([`e2e-phone-${stamp()}`]);
  await page.setViewportSize(PHONE);
  await signIn(page, ADMIN);
  const [event] = await sql<{ id: string }>`SELECT id FROM events ORDER BY created_at DESC LIMIT 1`;

  for (const path of ["/", "/users", "/activity", `/activity/${event!.id}`, "/usage", "/credentials", "/developers", "/settings", `/users/bots/${bot!.id}`]) {
    await page.goto(path);
    await expect(page.getByTestId("person-name"), path).toBeVisible();
    await expect(page.getByTestId("person-name"), path).toHaveText(ADMIN.name);
    expect(await sidewaysScroll(page), path).toEqual({ page: null, boxes: [] });
  }

  // Keyboard only, from the top of the activity page: Tab to the menu button, open it, Tab through every link.
  await page.goto("/activity");
  const nav = page.getByRole("navigation", { name: "Main" });
  const menu = page.getByRole("button", { name: "Menu" });
  await page.locator("body").focus();
  for (let i = 0; i < 6 && !(await menu.evaluate((el) => el === document.activeElement).catch(() => false)); i++) await page.keyboard.press("Tab");
  await expect(menu).toBeFocused();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await page.keyboard.press("Enter");
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  const labels = ["Overview", "Users & bots", "Activity", "Usage", "Credentials", "API", "Settings"];
  await expect(nav.getByRole("link")).toHaveText(labels);
  for (const label of labels) {
    await page.keyboard.press("Tab");
    const link = nav.getByRole("link", { name: label, exact: true });
    await expect(link).toBeFocused();
    const box = (await link.boundingBox())!;
    expect(box.x, label).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, label).toBeLessThanOrEqual(PHONE.width);
  }
  await expect(nav.getByRole("link", { name: "Activity" })).toHaveAttribute("aria-current", "page");
  expect(await sidewaysScroll(page)).toEqual({ page: null, boxes: [] });
  await page.screenshot({ path: "test-results/nav-390-open.png" });

  // Escape closes it and gives focus back to the button; choosing a link goes there and closes it.
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Escape");
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();
  await page.keyboard.press("Enter");
  await nav.getByRole("link", { name: "Usage" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/usage$/);
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await menu.click();
  await expect(nav.getByRole("link", { name: "Usage" })).toHaveAttribute("aria-current", "page");
  await expect(nav.locator("[aria-current]")).toHaveCount(1);

  // At desktop width the links sit in the header, no menu button.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(menu).toBeHidden();
  await expect(nav.getByRole("link")).toHaveCount(labels.length);
  for (const label of labels) await expect(nav.getByRole("link", { name: label, exact: true })).toBeVisible();
});
