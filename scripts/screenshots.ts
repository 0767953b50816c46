/**
 * Takes screenshots of Botdesk's pages at desktop and phone width, for the
 * README and for looking at a change. Needs a running Botdesk:
 *
 *   BASE_URL=http://localhost:3000 PASSWORD=botdesk-admin npx tsx scripts/screenshots.ts [outDir]
 */
import { chromium, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { CHROMIUM_ARGS, findChromium } from "../e2e/support/browser";

const baseURL = process.env.BASE_URL ?? "http://localhost:3000";
const password = process.env.PASSWORD ?? "botdesk-admin";
const outDir = path.resolve(process.argv[2] ?? "docs/screenshots");
const pages = (process.env.PAGES ?? "/,/users,/activity,/credentials,/settings").split(",");

async function signIn(page: Page, email: string) {
  await page.goto(`${baseURL}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${baseURL}/`);
}

const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
mkdirSync(outDir, { recursive: true });
for (const [label, viewport] of [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]] as const) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${baseURL}/sign-in`);
  await page.screenshot({ path: path.join(outDir, `sign-in-${label}.png`), fullPage: true });
  await page.getByLabel("Email").fill("ci-deployer");
  await page.getByLabel("Password").fill("x");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: "Bot users" }).waitFor();
  await page.screenshot({ path: path.join(outDir, `sign-in-bot-refused-${label}.png`), fullPage: true });
  await signIn(page, "admin@example.com");
  for (const p of pages) {
    await page.goto(`${baseURL}${p}`);
    const name = p === "/" ? "overview" : p.slice(1).replaceAll("/", "-");
    await page.screenshot({ path: path.join(outDir, `${name}-${label}.png`), fullPage: true });
  }
  await page.goto(`${baseURL}/users`);
  await page.getByRole("link", { name: "edge-agent-prod" }).first().click();
  await page.waitForURL(/\/users\/bots\//);
  await page.screenshot({ path: path.join(outDir, `bot-${label}.png`), fullPage: true });
  await context.close();
}
await browser.close();
console.log(`Screenshots in ${outDir}`);
