import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "@playwright/test";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_ARGS, findChromium } from "../e2e/support/browser";
import { ensureBuild, freePort, scratchDatabase } from "./scratch-server";
import { killGroup, listeningOn, startNpm, until, type Started } from "./launcher-support";

/**
 * A production first run, as an operator does it: `npm start` with
 * DATABASE_URL on a fresh, empty database of the machine's PostgreSQL. No demo
 * is created; the console prints a one-time setup link; `npm run setup-link`
 * replaces it; the link's page, in Chromium, creates the account and its owner,
 * who then signs in; after that every link and the command say it is done.
 */

const REPO = process.cwd();
const PASSWORD = "first-owner-password-1";
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-first-run-"));
let database: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
let browser: Browser | undefined;
let running: Started | undefined;
let port = 0;

beforeAll(async () => {
  ensureBuild(REPO);
  database = await scratchDatabase(`botdesk_first_run_${Date.now()}_${process.pid}`, 2);
  port = await freePort();
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
}, 600_000);
afterEach(() => killGroup(running));
afterAll(async () => {
  await browser?.close();
  await database?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const count = async (table: string) => Number((await database!.pool.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

function setupLinkCommand(): { status: number | null; output: string } {
  const run = spawnSync("npm", ["run", "--silent", "setup-link"], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, DATABASE_URL: database!.url, PORT: String(port), BOTDESK_HOST: "" },
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const LINK = new RegExp(`http://localhost:(\\d+)/setup\\?token=([A-Za-z0-9_-]{43})`);

describe("the first start on an empty PostgreSQL database (DATABASE_URL)", () => {
  it("creates no demo, prints a setup link; the link makes the owner, who signs in; then nothing can set it up again", async () => {
    running = startNpm(REPO, { PORT: String(port), DATABASE_URL: database!.url, BOTDESK_DATA_DIR: dataDir, BOTDESK_SSH_PORT: String(await freePort()) });
    await running.waitFor("Press Ctrl-C to stop.");
    const out = running.output();
    expect(out).not.toMatch(/demo account|admin@example\.com|with the password/);
    expect([await count("accounts"), await count("principals"), await count("events")]).toEqual([0, 0, 0]);
    expect(out).toContain(`Dashboard: http://localhost:${port} (listening on every interface)`);
    expect(listeningOn(port).some((a) => a === "::" || a === "0.0.0.0")).toBe(true);
    const printed = LINK.exec(out);
    expect(printed, out).not.toBeNull();
    expect(Number(printed![1])).toBe(port);
    const firstLink = printed![0];
    // Stored as a hash only.
    const stored = (await database!.pool.query<{ token_hash: string }>("SELECT token_hash FROM setup_tokens")).rows;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).not.toContain(printed![2]);

    // The operator asks for a new link: the first one stops working.
    const fresh = setupLinkCommand();
    expect(fresh.status, fresh.output).toBe(0);
    const newLink = LINK.exec(fresh.output)![0];
    expect(newLink).not.toBe(firstLink);

    const page = await browser!.newPage({ viewport: { width: 390, height: 844 } });
    // Without a link, or with the replaced one: an explanation, and nothing to fill in.
    for (const [url, says] of [
      [`http://localhost:${port}/setup`, "This page creates the first account of a new Botdesk"],
      [firstLink, "A newer setup link replaced this one"],
    ] as const) {
      await page.goto(url);
      await expect.poll(() => page.getByTestId("setup-refused").textContent()).toContain(says);
      expect(await page.locator("input").count()).toBe(0);
    }

    await page.goto(newLink);
    await page.getByLabel("Account name").fill("Initech");
    await page.getByLabel("Your name").fill("Peter Gibbons");
    await page.getByLabel("Email").fill("Peter@Initech.example");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Repeat the password").fill("short");
    await page.getByRole("button", { name: "Create the account" }).click();
    // The password rules of every other form; what was typed stays.
    await expect.poll(() => page.getByText("Use at least 10 characters").count()).toBe(1);
    expect(await page.getByLabel("Account name").inputValue()).toBe("Initech");
    expect(await count("accounts")).toBe(0);

    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Repeat the password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create the account" }).click();
    await expect.poll(() => page.getByTestId("setup-done").textContent()).toContain("is ready, with you as its owner");
    expect(await count("accounts")).toBe(1);
    const events = (await database!.pool.query<{ type: string }>("SELECT type FROM events ORDER BY type")).rows.map((r) => r.type);
    expect(events).toEqual(["account.created", "person.added"]);

    // The owner signs in with what they chose, and is in their account.
    await page.getByRole("link", { name: "Sign in" }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel("Email").fill("peter@initech.example");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`http://localhost:${port}/`);
    expect(await page.content()).toContain("Initech");
    await page.close();

    // Set up: the link, any link, and the command say so.
    const after = await browser!.newPage();
    await after.goto(newLink);
    await expect.poll(() => after.getByTestId("setup-refused").textContent()).toContain("Botdesk is already set up");
    expect(await after.locator("input").count()).toBe(0);
    await after.close();
    const again = setupLinkCommand();
    expect(again.status).toBe(1);
    expect(again.output).toContain("Botdesk is already set up");
    expect(await count("accounts")).toBe(1);

    process.kill(-running.npm.pid!, "SIGTERM");
    await running.exited;
    await until(() => running!.output().includes("[botdesk] Stopped."), 5_000, "the launcher to say it stopped");
  }, 300_000);
});
