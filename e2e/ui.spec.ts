import { expect, test, type Page } from "@playwright/test";
import { sql } from "./support/db";
import { ADMIN, signIn } from "./support/session";
import { acmeId, botRow, hex, insertBots, retireBots, stamp, toast } from "./support/users";

// The admin UI's rough edges (issue 10), as a user would notice them.

/** Clicks the dimmed backdrop of the open modal dialog (its top-left corner, outside the box). */
async function clickBackdrop(page: Page) {
  await page.mouse.click(5, 5);
}

test("a show-once secret survives a click outside, Esc and ×; only its explicit button closes it", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/settings");
  await page.getByTestId("credentials-panel").getByRole("button", { name: "Create credential" }).first().click();
  const create = page.getByTestId("create-credential-dialog");
  await create.getByLabel("Kind").selectOption("api_key");
  await create.getByLabel("Description").fill(`show-once ${stamp()}`);
  await create.getByRole("button", { name: "Create credential" }).click();

  const dialog = page.getByTestId("secret-once-dialog");
  const token = await dialog.getByTestId("secret-value").inputValue();
  expect(token).toMatch(/^bdak_/);

  await clickBackdrop(page);
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("dismiss-question")).toContainText("can't be shown again");
  await expect(dialog.getByTestId("secret-value")).toHaveValue(token);
  await dialog.getByRole("button", { name: "Keep it open" }).click();
  await expect(dialog.getByTestId("dismiss-question")).toHaveCount(0);

  // Esc twice in a row (Chromium may then close a dialog despite a cancelled Esc): still open.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("secret-value")).toHaveValue(token);
  await dialog.getByRole("button", { name: "Keep it open" }).click();

  await dialog.getByRole("button", { name: "Close dialog" }).click();
  await expect(dialog.getByTestId("dismiss-question")).toBeVisible();
  await dialog.getByRole("button", { name: "Keep it open" }).click();

  await dialog.getByRole("button", { name: "I've stored it" }).click();
  await expect(dialog).toBeHidden();
});

test("the initial password of a new person survives a click outside", async ({ page }) => {
  const tag = stamp();
  const email = `once-${tag}@example.com`;
  await signIn(page, ADMIN);
  await page.goto("/users");
  await page.getByRole("button", { name: "Add person" }).click();
  const dialog = page.getByTestId("add-person-dialog");
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByLabel("Name").fill(`Once ${tag}`);
  await dialog.getByRole("button", { name: "Add person" }).click();
  const password = await dialog.getByTestId("secret-value").inputValue();

  await clickBackdrop(page);
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("secret-value")).toHaveValue(password);
  await page.keyboard.press("Escape");
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Close anyway" }).click();
  await expect(dialog).toBeHidden();

  await sql`DELETE FROM memberships WHERE principal_id = (SELECT id FROM principals WHERE email = ${email})`;
});

test("deactivating a bot asks first and says how many credentials stop working", async ({ page }) => {
  const name = `e2e-ui-deact-${stamp()}`;
  const [bot] = await insertBots([name]);
  const account = await acmeId();
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
    VALUES (${`cr_${hex(11)}`}, ${account}, 'authtoken', ${bot!.id}, 'one', 'not-a-real-hash', 'x7Qa'),
           (${`ak_${hex(11)}`}, ${account}, 'api_key', ${bot!.id}, 'two', 'not-a-real-hash', 'k9Zb')`;
  try {
    await signIn(page, ADMIN);
    await page.goto(`/users?bq=${name}`);
    await page.getByRole("button", { name: `Deactivate ${name}` }).click();
    // Only the open dialog has the role (every row keeps its own closed one).
    const dialog = page.getByRole("dialog", { name: `Deactivate ${name}?` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId("set-bots-active-effect")).toContainText("2 credentials stop working");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(botRow(page, name)).toContainText("Active");

    await page.getByRole("button", { name: `Deactivate ${name}` }).click();
    await dialog.getByRole("button", { name: "Deactivate" }).click();
    await expect(toast(page, `Deactivated ${name}.`)).toBeVisible();
    await expect(botRow(page, name)).toContainText("Deactivated");
  } finally {
    await retireBots(name);
  }
});
