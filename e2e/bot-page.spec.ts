import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { sshKeygen } from "../lib/test-support/ssh-keys";
import { E2E_SSH_PORT } from "./support/constants";
import { ADMIN, signIn } from "./support/session";
import { sql } from "./support/db";
import { acmeId, botIdByName, insertBots, retireBots, stamp } from "./support/users";

// The bot's page as an admin's home for a bot: reached right after "Create bot", with the next step
// offered, and readable at phone width with a live SSH session (a real `ssh -R` to the SSH server).

/** The real OpenSSH client, forwarding a port through Botdesk's SSH server with the given private key. */
function sshTunnel(privateKey: string): { proc: ChildProcess; output: () => string; stop: () => Promise<void> } {
  const dir = mkdtempSync(path.join(tmpdir(), "botdesk-e2e-ssh-"));
  const file = path.join(dir, "id");
  writeFileSync(file, privateKey);
  chmodSync(file, 0o600);
  const args = ["-F", "/dev/null", "-i", file, "-p", String(E2E_SSH_PORT), "-T", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
    "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR", "-R", "0:localhost:8080", "agent@127.0.0.1"];
  const proc = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return {
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null) {
        const exited = new Promise((resolve) => proc.once("exit", resolve));
        proc.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The page is no wider than the viewport: nothing makes it scroll sideways. */
async function expectNoSidewaysScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll, "the page scrolls sideways").toBeLessThanOrEqual(client);
}

test("after Create bot the admin is on the bot's page, gives it an SSH key; a live SSH session shows its client, no OS, and fits a phone", async ({ page }, testInfo) => {
  const name = `e2e-botpage-${stamp()}`;
  await signIn(page, ADMIN);
  await page.goto("/users");
  await page.getByRole("button", { name: "Create bot" }).click();
  const dialog = page.getByTestId("create-bot-dialog");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create bot" }).click();

  await expect(page).toHaveURL(/\/users\/bots\/bot_\w+\?created=1$/);
  const id = await botIdByName(name);
  expect(page.url()).toContain(`/users/bots/${id}?created=1`);
  await expect(page.getByTestId("bot-name")).toHaveText(name);
  await expect(page.getByTestId("bot-created-next")).toContainText("Next, give it a credential");
  const first = page.getByRole("button", { name: "Create its first credential" });
  await expect(first).toBeFocused();

  const key = sshKeygen("ed25519");
  await first.click();
  const create = page.getByTestId("create-credential-dialog");
  await create.getByLabel("Kind").selectOption("ssh_key");
  await create.getByLabel("Public key").fill(key.publicKey);
  await create.getByLabel("Description").fill("laptop");
  await create.getByRole("button", { name: "Create credential" }).click();
  await expect(create).toBeHidden();
  await expect(page.getByTestId("credentials-ssh_key").getByTestId("credential-display")).toHaveText(key.fingerprint);
  await expect(page.getByTestId("bot-created-next")).toContainText("It has its first credential.");

  const ssh = sshTunnel(key.privateKey);
  try {
    await expect.poll(ssh.output, { timeout: 20_000, message: "the SSH tunnel is up" }).toContain("forwarding https://");
    await page.goto(`/users/bots/${id}`);
    const row = page.getByTestId("session-row").first();
    await expect(row).toContainText("Online");
    // The SSH client's version string ("OpenSSH_9.2p1 Debian-2+deb12u6") is the client software, not an OS.
    await expect(row.getByTestId("session-software")).toHaveText(/^client OpenSSH_\S+( \S+)?$/);
    await expect(row).not.toContainText("unknown");
    await expect(row).toContainText(key.fingerprint);
    await page.screenshot({ path: testInfo.outputPath("bot-page-1280.png"), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await expect(page.getByTestId("session-row").first()).toContainText("Online");
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: testInfo.outputPath("bot-page-390.png"), fullPage: true });
  } finally {
    await ssh.stop();
    await retireBots(name);
  }
});

test("the bot's page says what the bot is for and who owns it (editable by admins), and shows its usage this month against the account's quota", async ({ page }, testInfo) => {
  const name = `e2e-about-${stamp()}`;
  const [bot] = await insertBots([name]);
  const account = await acmeId();
  await sql`INSERT INTO usage_daily (account_id, principal_id, day, api_requests, sessions, bytes_in, bytes_out)
    VALUES (${account}, ${bot!.id}, (now() AT TIME ZONE 'UTC')::date, 1234, 3, 2000000, 500000)`;
  try {
    await signIn(page, ADMIN);
    await page.goto(`/users/bots/${bot!.id}`);
    await expect(page.getByTestId("bot-description")).toHaveText("No description.");
    await expect(page.getByTestId("bot-contact")).toContainText("Nobody named");

    await page.getByRole("button", { name: "Edit details" }).click();
    const dialog = page.getByTestId("bot-details-dialog");
    await dialog.getByLabel("Contact").fill("x".repeat(256));
    await dialog.getByRole("button", { name: "Save details" }).click();
    await expect(dialog.getByText("Use at most 255 bytes")).toBeVisible();
    await dialog.getByLabel("Description").fill("Deploys main to production from CI");
    await dialog.getByLabel("Contact").fill("#platform-oncall");
    await dialog.getByRole("button", { name: "Save details" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("bot-description")).toHaveText("Deploys main to production from CI");
    await expect(page.getByTestId("bot-contact")).toHaveText("#platform-oncall");
    await expect(page.getByTestId("recent-activity").getByTestId("event-row").first()).toContainText("Bot details changed");
    const [event] = await sql<{ data: unknown }>`SELECT data FROM events WHERE type = 'bot.updated' AND subject_id = ${bot!.id}`;
    expect(event!.data).toEqual({ before: { description: "", contact: "" }, after: { description: "Deploys main to production from CI", contact: "#platform-oncall" } });

    // This month's usage, with its share of the account's quota.
    const usage = page.getByTestId("bot-usage");
    await expect(usage).toContainText("(UTC days)");
    await expect(usage.getByTestId("bot-usage-apiRequests").getByTestId("bot-usage-used")).toHaveText("1,234");
    await expect(usage.getByTestId("bot-usage-sessions").getByTestId("bot-usage-used")).toHaveText("3");
    await expect(usage.getByTestId("bot-usage-bandwidth").getByTestId("bot-usage-used")).toHaveText("2.5 MB");
    await expect(usage.getByTestId("bot-usage-apiRequests").getByTestId("bot-usage-share")).toHaveText(/^(<1|\d+)% of the account's quota \([\d,]+\)$/);
    await page.screenshot({ path: testInfo.outputPath("bot-about-1280.png"), fullPage: true });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await expect(page.getByTestId("bot-contact")).toHaveText("#platform-oncall");
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: testInfo.outputPath("bot-about-390.png"), fullPage: true });
  } finally {
    await sql`DELETE FROM usage_daily WHERE principal_id = ${bot!.id}`;
    await retireBots(name);
  }
});
