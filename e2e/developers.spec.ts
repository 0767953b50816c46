import { expect, test } from "@playwright/test";
import { MEMBER, signIn } from "./support/session";

// The API page: the OpenAPI document rendered for people, with curl examples
// against this server and the reader's own key as a placeholder.

test("the API page shows every resource's calls, fields and error codes, with curl for this server and a link to create a key", async ({ page, baseURL }) => {
  await signIn(page, MEMBER);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API" }).click();
  await expect(page).toHaveURL(/\/developers$/);
  await expect(page.getByRole("heading", { name: "API", level: 1 })).toBeVisible();
  const base = `${baseURL}/api/v1`;
  await expect(page.getByTestId("api-base-url")).toHaveText(base);
  await expect(page.getByTestId("api-quickstart")).toContainText(`curl -s "${base}/bot_users?limit=5"`);
  await expect(page.getByTestId("api-quickstart")).toContainText("$BOTDESK_API_KEY");

  // The document's calls (service_users is said once, as bot_users), each with a curl example.
  const doc = await (await page.request.get("/api/v1/openapi.json")).json();
  const expected = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .filter(([path]) => !path.startsWith("/service_users"))
    .flatMap(([, item]) => Object.keys(item).filter((k) => k !== "parameters"));
  await expect(page.getByTestId("api-operation")).toHaveCount(expected.length);
  const createBot = page.locator('[data-operation="bot_users.create"]');
  await expect(createBot).toContainText("name");
  await expect(createBot).toContainText("required");
  await expect(createBot.locator("pre")).toContainText(`-X POST "${base}/bot_users"`);
  await expect(createBot.locator("pre")).toContainText(`-d '{"name":"billing-sync"}'`);
  await expect(page.locator('[data-operation="tunnel_sessions.list"]')).toContainText("agent_version");
  await expect(page.locator('[data-operation="events.list"]')).toContainText("bot_id");
  await expect(page.getByTestId("api-errors")).toContainText("ERR_NGROK_4111");

  await page.getByTestId("create-api-key-link").click();
  await expect(page).toHaveURL(/\/settings$/);
});

test("the API page reads at phone width without sideways scrolling", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, MEMBER);
  await page.goto("/developers");
  await expect(page.getByTestId("api-operation").first()).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // For looking at (SCREENSHOT_DIR keeps them out of test-results, which each run empties).
  const shot = (name: string) => page.screenshot({ path: process.env.SCREENSHOT_DIR ? `${process.env.SCREENSHOT_DIR}/${name}` : test.info().outputPath(name) });
  await shot("developers-390.png");
  await page.locator('[data-operation="bot_users.create"]').scrollIntoViewIfNeeded();
  await shot("developers-390-create-bot.png");
});
