import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { sshKeygen } from "../lib/test-support/ssh-keys";
import { E2E_SSH_PORT } from "./support/constants";
import { ADMIN, signIn } from "./support/session";
import { botIdByName, retireBots, stamp } from "./support/users";

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
