import { createHash, randomBytes } from "node:crypto";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { sshKeygen } from "../lib/test-support/ssh-keys";
import { sql } from "./support/db";
import { ADMIN, MEMBER, signIn } from "./support/session";

const SHOW_ONCE = "This is the only time this secret will be shown. Store it somewhere safe now.";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const unique = (label: string) => `e2e-${label}-${Date.now().toString(36)}${randomBytes(2).toString("hex")}`;

/** A bot of Acme made for one test, so no seeded bot is changed. */
async function createBot(name: string): Promise<string> {
  const id = `bot_${Array.from(randomBytes(22), (b) => BASE62[b % 62]).join("")}`;
  await sql`INSERT INTO principals (id, kind, name, name_key, account_id)
            SELECT ${id}, 'bot', ${name}, ${name.toLowerCase()}, id FROM accounts WHERE name = 'Acme'`;
  return id;
}

async function credentialCount(ownerId: string): Promise<number> {
  const [row] = await sql<{ n: string }>`SELECT count(*) AS n FROM credentials WHERE owner_id = ${ownerId}`;
  return Number(row!.n);
}

async function personId(email: string): Promise<string> {
  const [row] = await sql<{ id: string }>`SELECT id FROM principals WHERE email = ${email}`;
  return row!.id;
}

function panel(page: Page): Locator {
  return page.getByTestId("credentials-panel");
}

async function openCreate(page: Page, scope: Locator): Promise<Locator> {
  await scope.getByRole("button", { name: "Create credential" }).first().click();
  const dialog = page.getByTestId("create-credential-dialog");
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Reads the secret from the show-once dialog and closes it. */
async function takeSecret(page: Page): Promise<string> {
  const dialog = page.getByTestId("secret-once-dialog");
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(SHOW_ONCE);
  const token = await dialog.getByTestId("secret-value").inputValue();
  await dialog.getByRole("button", { name: "I've stored it" }).click();
  await expect(dialog).toBeHidden();
  return token;
}

async function createInSettings(page: Page, kind: "authtoken" | "api_key", description: string): Promise<string> {
  const dialog = await openCreate(page, panel(page));
  await dialog.getByLabel("Kind").selectOption(kind);
  await dialog.getByLabel("Description").fill(description);
  await dialog.getByRole("button", { name: "Create credential" }).click();
  return takeSecret(page);
}

const rowOf = (page: Page, text: string) => page.locator("tr", { hasText: text });

test("an API key made in settings shows its secret once, then never again", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, ADMIN);
  await page.goto("/settings");
  const description = unique("api-key");

  const dialog = await openCreate(page, panel(page));
  await dialog.getByLabel("Kind").selectOption("api_key");
  await expect(dialog.getByLabel("ACL")).toBeHidden();
  await dialog.getByLabel("Description").fill(description);
  await dialog.getByLabel("Metadata").fill('{"team":"e2e"}');
  await dialog.getByRole("button", { name: "Create credential" }).click();

  const secret = page.getByTestId("secret-once-dialog");
  await expect(secret).toContainText(SHOW_ONCE);
  const token = await secret.getByTestId("secret-value").inputValue();
  expect(token).toMatch(/^bdak_[0-9A-Za-z]{22}_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/);
  await secret.getByRole("button", { name: "Copy" }).click();
  await expect(secret.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  // Esc asks first (the secret is shown once); "Close anyway" closes it.
  await page.keyboard.press("Escape");
  await expect(secret.getByTestId("dismiss-question")).toContainText("can't be shown again");
  await secret.getByRole("button", { name: "Close anyway" }).click();
  await expect(secret).toBeHidden();
  await expect(page.getByTestId("toast").filter({ hasText: "created" })).toBeVisible();

  const row = rowOf(page, description);
  await expect(row.getByTestId("credential-display")).toHaveText(`bdak_…${token.slice(-4)}`);
  await expect(row.getByTestId("credential-status")).toHaveText("Active");
  const secretPart = token.split("_")[2]!;
  expect(await page.content()).not.toContain(secretPart);
  await page.reload();
  await expect(rowOf(page, description)).toBeVisible();
  expect(await page.content()).not.toContain(secretPart);

  const rows = await sql`SELECT * FROM credentials WHERE description = ${description}`;
  expect(rows).toHaveLength(1);
  expect(JSON.stringify(rows)).not.toContain(secretPart);
  expect(rows[0]!.secret_hash).toBe(createHash("sha256").update(token).digest("hex"));
});

test("an SSH key shows its fingerprint; a pasted private key is refused and stores nothing", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/settings");
  const adminId = await personId(ADMIN.email);
  const key = sshKeygen("ed25519");
  const description = unique("ssh");

  let dialog = await openCreate(page, panel(page));
  await dialog.getByLabel("Kind").selectOption("ssh_key");
  await dialog.getByLabel("Public key").fill(key.privateKey);
  await dialog.getByLabel("Description").fill(description);
  const before = await credentialCount(adminId);
  await dialog.getByRole("button", { name: "Create credential" }).click();
  await expect(dialog.getByText(/^That is a private key/)).toBeVisible();
  // The typed description is kept; the private key is not sent back.
  await expect(dialog.getByLabel("Description")).toHaveValue(description);
  await expect(dialog.getByLabel("Public key")).toHaveValue("");
  expect(await credentialCount(adminId)).toBe(before);
  const body = key.privateKey.split("\n")[1]!;
  expect(JSON.stringify(await sql`SELECT * FROM credentials`)).not.toContain(body);
  expect(JSON.stringify(await sql`SELECT * FROM events`)).not.toContain(body);

  await dialog.getByLabel("Public key").fill(key.publicKey);
  await dialog.getByRole("button", { name: "Create credential" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("secret-once-dialog")).toBeHidden();
  const row = page.getByTestId("credentials-ssh_key").locator("tr", { hasText: description });
  await expect(row.getByTestId("credential-display")).toHaveText(key.fingerprint);
  expect(await credentialCount(adminId)).toBe(before + 1);

  // The same key again is refused at the field.
  dialog = await openCreate(page, panel(page));
  await dialog.getByLabel("Kind").selectOption("ssh_key");
  await dialog.getByLabel("Public key").fill(key.publicKey);
  await dialog.getByRole("button", { name: "Create credential" }).click();
  await expect(dialog.getByText("This SSH key is already registered in this account")).toBeVisible();
});

test("a bad ACL rule is named in the error and the typed values are kept", async ({ page }) => {
  await signIn(page, MEMBER);
  await page.goto("/settings");
  const description = unique("acl");
  const dialog = await openCreate(page, panel(page));
  await dialog.getByLabel("Description").fill(description);
  await dialog.getByLabel("ACL").fill("bind:*.example.com\nbind:nodots");
  await dialog.getByLabel("Expires").selectOption("date");
  await dialog.getByLabel("Expiry date").fill("2999-01-31");
  await dialog.getByRole("button", { name: "Create credential" }).click();
  await expect(dialog.getByText('ACL rule 2 ("bind:nodots") is not valid: a domain needs at least two labels, like example.com')).toBeVisible();
  await expect(dialog.getByLabel("ACL")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByLabel("Description")).toHaveValue(description);
  await expect(dialog.getByLabel("Expiry date")).toHaveValue("2999-01-31");
  expect(await sql`SELECT id FROM credentials WHERE description = ${description}`).toHaveLength(0);

  await dialog.getByLabel("ACL").fill("bind:*.example.com\nbind:team=*");
  await dialog.getByRole("button", { name: "Create credential" }).click();
  const token = await takeSecret(page);
  expect(token).toMatch(/^bdat_/);
  const row = rowOf(page, description);
  await expect(row).toContainText("ACL: bind:*.example.com, bind:team=*");
  await expect(row).toContainText("Jan 31, 2999");
});

test("rotating shows a new secret and lists both credentials, linked; revoking removes them", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/settings");
  const description = unique("rotate");
  const oldToken = await createInSettings(page, "authtoken", description);
  const oldDisplay = `bdat_…${oldToken.slice(-4)}`;

  await page.getByRole("button", { name: `Rotate ${oldDisplay}` }).click();
  const rotate = page.getByTestId("rotate-credential-dialog");
  await expect(rotate.getByLabel("Grace period for the old secret")).toHaveValue("24h");
  await rotate.getByRole("button", { name: "Rotate" }).click();
  await expect(page.getByTestId("rotation-note")).toContainText("The old secret keeps working until");
  const newToken = await takeSecret(page);
  expect(newToken).toMatch(/^bdat_/);
  expect(newToken).not.toBe(oldToken);
  const newDisplay = `bdat_…${newToken.slice(-4)}`;

  const rows = rowOf(page, description);
  await expect(rows).toHaveCount(2);
  const newRow = rows.filter({ has: page.getByTestId("rotated-from") });
  const oldRow = rows.filter({ has: page.getByTestId("replaced-by") });
  await expect(newRow.getByTestId("credential-display")).toHaveText(newDisplay);
  await expect(newRow.getByTestId("rotated-from")).toHaveText(`Replaces ${oldDisplay}`);
  await expect(oldRow.getByTestId("replaced-by")).toHaveText(`Replaced by ${newDisplay}`);
  await expect(oldRow.getByTestId("credential-status")).toHaveText("Expiring soon");
  await newRow.getByRole("link", { name: oldDisplay }).click();
  await expect(page).toHaveURL(/#credential-cr_/);
  expect(await page.content()).not.toContain(newToken.split("_")[2]!);

  // Revoke one, then the rest with the checkboxes.
  await page.getByRole("button", { name: `Revoke ${oldDisplay}` }).click();
  const confirm = page.getByTestId("revoke-credentials-dialog");
  await expect(confirm).toContainText("refused from the next request on");
  await confirm.getByRole("button", { name: "Revoke" }).click();
  await expect(confirm).toBeHidden();
  await expect(rows).toHaveCount(1);
  await expect(rows.getByTestId("rotated-from")).toContainText("(no longer active)");

  const other = unique("bulk");
  await createInSettings(page, "api_key", other);
  await rowOf(page, description).getByRole("checkbox").check();
  await rowOf(page, other).getByRole("checkbox").check();
  await expect(page.getByTestId("credentials-bulk-bar")).toContainText("2 credentials selected");
  await page.getByTestId("credentials-bulk-bar").getByRole("button", { name: "Revoke 2 credentials" }).click();
  await confirm.getByRole("button", { name: "Revoke 2 credentials" }).click();
  await expect(confirm).toBeHidden();
  await expect(rowOf(page, description)).toHaveCount(0);
  await expect(rowOf(page, other)).toHaveCount(0);
  await expect(page.getByTestId("toast").filter({ hasText: "Revoked 2 credentials." })).toBeVisible();
  const revoked = await sql`SELECT revoked_at FROM credentials WHERE description IN (${description}, ${other})`;
  expect(revoked).toHaveLength(3);
  expect(revoked.every((r) => r.revoked_at !== null)).toBe(true);
});

test("/credentials filters through the URL, and a deactivated bot's credentials are suspended", async ({ page }) => {
  const botName = unique("bot");
  const botId = await createBot(botName);
  await signIn(page, ADMIN);
  await page.goto("/credentials");
  const description = unique("bot-key");

  const dialog = await openCreate(page, page.getByRole("main"));
  await dialog.getByLabel("Owner").selectOption({ label: botName });
  await dialog.getByLabel("Kind").selectOption("api_key");
  await dialog.getByLabel("Description").fill(description);
  await dialog.getByRole("button", { name: "Create credential" }).click();
  await takeSecret(page);
  await expect(rowOf(page, description)).toBeVisible();
  await expect(rowOf(page, description).getByRole("link", { name: botName })).toHaveAttribute("href", `/users/bots/${botId}`);

  await sql`UPDATE principals SET status = 'deactivated' WHERE id = ${botId}`;
  const table = page.getByTestId("credentials-table");
  const filters = page.getByTestId("credential-filters");
  await filters.getByLabel("Status").selectOption("suspended");
  await expect(page).toHaveURL(/\/credentials\?status=suspended$/);
  await expect(rowOf(page, description).getByText("Suspended", { exact: true })).toBeVisible();
  await expect(table.locator("tbody tr").filter({ hasNotText: "Suspended" })).toHaveCount(0);

  await filters.getByLabel("Owner").fill(botName);
  await expect(page).toHaveURL(new RegExp(`owner=${botName}`));
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await filters.getByLabel("Kind").selectOption("ssh_key");
  await expect(page.getByTestId("credentials-table-empty")).toContainText("No credentials match these filters.");

  // Back and forward restore the filters; the URL is a bookmark.
  await page.goBack();
  await expect(page).not.toHaveURL(/kind=/);
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(filters.getByLabel("Kind")).toHaveValue("all");
  await page.goForward();
  await expect(filters.getByLabel("Kind")).toHaveValue("ssh_key");
  await page.goto(`/credentials?owner=${botId}&status=active`);
  await expect(page.getByTestId("credentials-table-empty")).toBeVisible();
  await page.goto(`/credentials?owner=${botId}&status=suspended&used=never`);
  await expect(filters.getByLabel("Owner")).toHaveValue(botId);
  await expect(filters.getByLabel("Last used")).toHaveValue("never");
  await expect(table.locator("tbody tr")).toHaveCount(1);
});

test("a member sees no admin view, and a forged create for a bot is refused", async ({ page }) => {
  const botId = await createBot(unique("forge-target"));
  await signIn(page, MEMBER);
  await page.goto("/credentials");
  await expect(page.getByTestId("credentials-admins-only")).toHaveText("Only admins can see every credential of the account.");
  await expect(page.getByTestId("credentials-table")).toHaveCount(0);

  await page.goto("/settings");
  await expect(page.getByTestId("all-credentials-link")).toHaveCount(0);
  const description = unique("forged");
  const dialog = await openCreate(page, panel(page));
  await dialog.getByLabel("Description").fill(description);
  // What a person with the browser's developer tools could send: the real action, another owner.
  await dialog.locator('input[name="ownerId"]').evaluate((el, id) => ((el as HTMLInputElement).value = id), botId);
  await dialog.getByRole("button", { name: "Create credential" }).click();
  await expect(dialog.getByTestId("credential-form-error")).toHaveText("You must be an admin to create a credential owned by someone else");
  expect(await credentialCount(botId)).toBe(0);
  expect(await sql`SELECT id FROM credentials WHERE description = ${description}`).toHaveLength(0);
});

test("a bot's API key pasted as a password is refused like any wrong password, and the key is not marked used", async ({ page, browser }) => {
  const botName = unique("signin-bot");
  await createBot(botName);
  await signIn(page, ADMIN);
  await page.goto("/credentials");
  const dialog = await openCreate(page, page.getByRole("main"));
  await dialog.getByLabel("Owner").selectOption({ label: botName });
  await dialog.getByLabel("Kind").selectOption("api_key");
  await dialog.getByRole("button", { name: "Create credential" }).click();
  const token = await takeSecret(page);

  const visitor = await browser.newContext();
  const signInPage = await visitor.newPage();
  await signInPage.goto("/sign-in");
  await signInPage.getByLabel("Email").fill(`${unique("who")}@example.com`);
  await signInPage.getByLabel("Password").fill(token);
  await signInPage.getByRole("button", { name: "Sign in" }).click();
  // The same words as a wrong password: the page never tells whether a string is a real token.
  await expect(signInPage.getByTestId("sign-in-error")).toHaveText("Wrong email or password.");
  await expect(signInPage).toHaveURL(/\/sign-in/);
  await visitor.close();
  // Refusing it changed nothing about the key.
  expect(await sql`SELECT last_used_at FROM credentials WHERE owner_id = (SELECT id FROM principals WHERE name = ${botName})`).toEqual([{ last_used_at: null }]);
});

test("the credential pages fit a phone screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, ADMIN);
  for (const path of ["/settings", "/credentials"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
});
