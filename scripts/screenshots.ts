/**
 * Takes screenshots of every Botdesk page at desktop (1280 px) and phone
 * (390 px) width, signed out, as the owner and as a member, for the README, docs/guide.md and
 * for looking at a change. Needs a running Botdesk (a freshly seeded one gives
 * the docs' pictures):
 *
 *   BASE_URL=http://localhost:3000 PASSWORD=<the demo password npm start printed> npx tsx scripts/screenshots.ts [outDir]
 *
 * The README and docs/guide.md use users-desktop.png, bot-desktop.png and activity-desktop.png
 * (the owner's); demo-traffic-bot.png is taken after `npm run demo:traffic`.
 */
import { chromium, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { CHROMIUM_ARGS, findChromium } from "../e2e/support/browser";

const baseURL = process.env.BASE_URL ?? "http://localhost:3000";
// The demo people's password: printed once by the first `npm start`, or its BOTDESK_ADMIN_PASSWORD.
const password = process.env.PASSWORD ?? process.env.BOTDESK_ADMIN_PASSWORD ?? "";
if (!password) {
  console.error("Set PASSWORD to the demo people's password (the first `npm start` printed it, or set BOTDESK_ADMIN_PASSWORD before it).");
  process.exit(2);
}
const outDir = path.resolve(process.argv[2] ?? "docs/screenshots");
const pages = (process.env.PAGES ?? "/,/users,/activity,/usage,/credentials,/developers,/settings,/no-such-page").split(",");

async function signIn(page: Page, email: string) {
  await page.goto(`${baseURL}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${baseURL}/`);
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });

const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
mkdirSync(outDir, { recursive: true });
for (const [label, viewport] of [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]] as const) {
  for (const who of ["owner", "member"] as const) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    // The owner's pictures keep the names the docs use (users-desktop.png); the member's say so.
    const suffix = who === "owner" ? label : `member-${label}`;
    if (who === "owner") {
      await page.goto(`${baseURL}/sign-in`);
      await shot(page, `sign-in-${label}`);
      await page.getByLabel("Email").fill("ci-deployer");
      await page.getByLabel("Password").fill("x");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").filter({ hasText: "Bot users" }).waitFor();
      await shot(page, `sign-in-bot-refused-${label}`);
    }
    await signIn(page, who === "owner" ? "admin@example.com" : "member@example.com");
    for (const p of pages) {
      await page.goto(`${baseURL}${p}`);
      await page.waitForLoadState("networkidle");
      const name = p === "/" ? "overview" : p.slice(1).replaceAll("/", "-");
      await shot(page, `${name}-${suffix}`);
    }
    await page.goto(`${baseURL}/users`);
    await page.getByRole("link", { name: "edge-agent-prod" }).first().click();
    await page.waitForURL(/\/users\/bots\//);
    await page.waitForLoadState("networkidle");
    await shot(page, `bot-${suffix}`);
    await page.getByTestId("event-label").first().click();
    await page.waitForURL(/\/activity\/ev_/);
    await shot(page, `event-${suffix}`);
    await page.goto(`${baseURL}/users/bots/bot_nosuchbot`);
    await shot(page, `bot-not-found-${suffix}`);
    await context.close();
  }
}
await browser.close();
console.log(`Screenshots in ${outDir}`);
