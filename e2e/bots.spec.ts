import { expect, test, type Locator, type Page } from "@playwright/test";
import { sql } from "./support/db";
import { ADMIN, signIn } from "./support/session";
import { acmeId, botIdByName, botInDb, botRow, botsTable, hex, insertBots, retireBots, stamp, toast } from "./support/users";

// Runs after auth.spec.ts on the same database. Every test makes its own bots
// and people under unique names and asserts on those (never on totals), and
// puts back what it changed that another test could notice (seats).

const botRows = (page: Page) => botsTable(page).locator("tbody tr");
const botsPager = (page: Page) => page.getByRole("navigation", { name: "Bot users pages" });

async function expectFirstCells(rows: Locator, names: string[]) {
  await expect(rows).toHaveCount(names.length);
  for (const [i, name] of names.entries()) await expect(rows.nth(i)).toContainText(name);
}

test("an admin creates, renames, deactivates, reactivates and deletes a bot, and its name is free again", async ({ page }) => {
  const name = `e2e-bot-${stamp()}`;
  const renamed = `${name}-renamed`;
  await signIn(page, ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users & bots" }).click();
  await expect(page).toHaveURL(/\/users$/);

  // Keyboard: the dialog opens on the first field, Esc closes it and focus goes back.
  const createButton = page.getByRole("button", { name: "Create bot" });
  await createButton.focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByTestId("create-bot-dialog");
  await expect(dialog.getByLabel("Name")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(createButton).toBeFocused();

  // Refusals show next to the field and keep what was typed.
  await createButton.click();
  await dialog.getByRole("button", { name: "Create bot" }).click();
  await expect(dialog.getByText("Enter a name")).toBeVisible();
  await dialog.getByLabel("Name").fill("CI-DEPLOYER");
  await dialog.getByRole("button", { name: "Create bot" }).click();
  await expect(dialog.getByText("That name is taken by another bot in this account (names ignore case)")).toBeVisible();
  await expect(dialog.getByLabel("Name")).toHaveValue("CI-DEPLOYER");
  await expect(dialog.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  // A look-alike (Cyrillic с and і) is taken too, naming the bot it looks like; an @ is refused.
  await dialog.getByLabel("Name").fill("\u0441\u0456-deployer");
  await dialog.getByRole("button", { name: "Create bot" }).click();
  await expect(dialog.getByText('That name looks like "ci-deployer", another bot in this account: names must differ by more than case, look-alike or invisible characters')).toBeVisible();
  await dialog.getByLabel("Name").fill("admin @example.com");
  await dialog.getByRole("button", { name: "Create bot" }).click();
  await expect(dialog.getByText("A bot's name can't contain @ (people sign in with their email, and a name must never pass for one): remove it")).toBeVisible();

  await dialog.getByLabel("Name").fill(`  ${name}  `);
  await dialog.getByRole("button", { name: "Create bot" }).click();
  await expect(dialog).toBeHidden();
  // The admin lands on the new bot's page, which offers the next step: its first credential.
  await expect(page).toHaveURL(/\/users\/bots\/bot_\w+\?created=1$/);
  const id = await botIdByName(name);
  expect(page.url()).toContain(`/users/bots/${id}?created=1`);
  await expect(page.getByTestId("bot-created-next")).toContainText(`Bot ${name} created. Next, give it a credential`);
  await expect(page.getByTestId("credentials-empty").getByRole("button", { name: "Create its first credential" })).toBeFocused();
  await page.goto("/users");
  await expect(botRow(page, name)).toContainText("Active");
  expect(await botInDb(id)).toMatchObject({ name, status: "active", deleted_at: null });
  // Something the bot itself did, to see it attributed after the delete.
  await sql`INSERT INTO events (id, account_id, type, principal_id, source, ip) VALUES (${`ev_${hex(11)}`}, ${await acmeId()}, 'agent.session_started', ${id}, 'agent', '192.0.2.55')`;

  await page.getByRole("button", { name: `Rename ${name}` }).click();
  const renameDialog = page.getByTestId("rename-bot-dialog");
  await expect(renameDialog.getByLabel("Name")).toHaveValue(name);
  await expect(renameDialog.getByLabel("Name")).toBeFocused();
  await renameDialog.getByLabel("Name").fill(renamed);
  await renameDialog.getByRole("button", { name: "Rename" }).click();
  await expect(toast(page, `Renamed ${name} to ${renamed}.`)).toBeVisible();
  await expect(botRow(page, renamed)).toBeVisible();
  expect((await botInDb(id))?.name).toBe(renamed);

  await page.getByRole("button", { name: `Deactivate ${renamed}` }).click();
  await page.getByTestId("set-bots-active-dialog").getByRole("button", { name: "Deactivate" }).click();
  await expect(toast(page, `Deactivated ${renamed}.`)).toBeVisible();
  await expect(botRow(page, renamed)).toContainText("Deactivated");
  expect((await botInDb(id))?.status).toBe("deactivated");

  await page.getByRole("button", { name: `Reactivate ${renamed}` }).click();
  await expect(toast(page, `Reactivated ${renamed}.`)).toBeVisible();
  await expect(botRow(page, renamed)).toContainText("Active");
  expect((await botInDb(id))?.status).toBe("active");

  // Delete asks for the exact name before the button works.
  await page.getByRole("button", { name: `Delete ${renamed}` }).click();
  const confirm = page.getByTestId("delete-bots-dialog");
  const deleteButton = confirm.getByRole("button", { name: "Delete bot" });
  await expect(confirm.getByRole("textbox")).toBeFocused();
  await expect(deleteButton).toBeDisabled();
  await confirm.getByRole("textbox").fill(name);
  await expect(deleteButton).toBeDisabled();
  await confirm.getByRole("textbox").fill(renamed);
  await expect(deleteButton).toBeEnabled();
  await deleteButton.click();
  await expect(toast(page, `Deleted ${renamed}.`)).toBeVisible();
  await expect(botRow(page, renamed)).toHaveCount(0);
  expect((await botInDb(id))?.deleted_at).not.toBeNull();

  // Its page is now its tombstone, never a 404.
  await page.goto(`/users/bots/${id}`);
  await expect(page.getByTestId("tombstone-summary")).toContainText(`${renamed} — deleted`);

  // The name is free for a new bot; the old bot's events stay attributed to it.
  await page.goto("/users");
  await page.getByRole("button", { name: "Create bot" }).click();
  await dialog.getByLabel("Name").fill(renamed);
  await dialog.getByRole("button", { name: "Create bot" }).click();
  await expect(page.getByTestId("bot-created-next")).toContainText(`Bot ${renamed} created.`);
  expect(await botIdByName(renamed)).not.toBe(id);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
  await expect(page.getByTestId("recent-activity").locator("li").filter({ hasText: "Agent session started" }).filter({ hasText: "192.0.2.55" })).toContainText(
    `${renamed} (deleted)`,
  );
  await retireBots(name);
});

test("a bot's page shows who created it, its credentials and activity, with the row's actions", async ({ page }) => {
  const name = `e2e-detail-${stamp()}`;
  const [bot] = await insertBots([name]);
  const account = await acmeId();
  const [admin] = await sql<{ id: string }>`SELECT id FROM principals WHERE email = ${ADMIN.email}`;
  await sql`UPDATE principals SET created_by_id = ${admin!.id} WHERE id = ${bot!.id}`;
  try {
    await signIn(page, ADMIN);
    await page.goto(`/users?bq=${name}`);
    await botsTable(page).getByRole("link", { name }).click();
    await expect(page).toHaveURL(new RegExp(`/users/bots/${bot!.id}$`));
    await expect(page.getByTestId("bot-name")).toHaveText(name);
    await expect(page.getByTestId("bot-status")).toHaveText("Active");
    await expect(page.getByTestId("bot-created")).toContainText("by Ada Admin");
    await expect(page.getByTestId("credentials-empty")).toContainText(`${name} has no credentials yet.`);
    await expect(page.getByTestId("recent-activity-empty")).toBeVisible();

    await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
      VALUES (${`cr_${hex(11)}`}, ${account}, 'authtoken', ${bot!.id}, 'deploys from CI', 'not-a-real-hash', 'x7Qa'),
             (${`ak_${hex(11)}`}, ${account}, 'api_key', ${bot!.id}, 'billing export', 'not-a-real-hash', 'k9Zb')`;
    await page.reload();
    await expect(page.getByTestId("credential-display")).toHaveCount(2);
    await expect(page.getByTestId("credentials-panel")).toContainText("deploys from CI");

    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByTestId("rename-bot-dialog").getByLabel("Name").fill(`${name}-x`);
    await page.getByTestId("rename-bot-dialog").getByRole("button", { name: "Rename" }).click();
    await expect(page.getByTestId("bot-name")).toHaveText(`${name}-x`);
    await expect(page.getByTestId("recent-activity")).toContainText("bot.renamed");

    await page.getByRole("button", { name: "Deactivate" }).click();
    await page.getByTestId("set-bots-active-dialog").getByRole("button", { name: "Deactivate" }).click();
    await expect(page.getByTestId("bot-status")).toHaveText("Deactivated");
    await page.getByRole("button", { name: "Reactivate" }).click();
    await expect(page.getByTestId("bot-status")).toHaveText("Active");

    await page.getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByTestId("delete-bots-dialog");
    await expect(confirm).toContainText("2 credentials will be revoked and deleted");
    await confirm.getByRole("textbox").fill(`${name}-x`);
    await confirm.getByRole("button", { name: "Delete bot" }).click();
    await expect(page).toHaveURL(/\/users$/);
    await expect(toast(page, `Deleted ${name}-x and 2 credentials.`)).toBeVisible();
    const [left] = await sql<{ n: string }>`SELECT count(*) AS n FROM credentials WHERE owner_id = ${bot!.id}`;
    expect(Number(left!.n)).toBe(0);
  } finally {
    await retireBots(name);
  }
});

test("bulk deactivate, reactivate and delete the selected bots, each after one confirmation", async ({ page }) => {
  const prefix = `e2e-bulk-${stamp()}`;
  const bots = await insertBots([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`]);
  try {
    await signIn(page, ADMIN);
    await page.goto(`/users?bq=${prefix}&bsort=name&bdir=asc`);
    await expect(botRows(page)).toHaveCount(3);

    await page.getByRole("checkbox", { name: "Select all bots on this page" }).check();
    const bar = page.getByTestId("bots-bulk-bar");
    await expect(bar).toContainText("3 bots selected");
    await bar.getByRole("button", { name: "Deactivate" }).click();
    const setActive = page.getByTestId("set-bots-active-dialog");
    await setActive.getByRole("button", { name: "Deactivate 3 bots" }).click();
    await expect(toast(page, "Deactivated 3 bots.")).toBeVisible();
    await expect(bar).toBeHidden();
    for (const b of bots) {
      await expect(botRow(page, b.name)).toContainText("Deactivated");
      expect((await botInDb(b.id))?.status).toBe("deactivated");
    }

    await page.getByRole("checkbox", { name: `Select ${prefix}-a` }).check();
    await page.getByRole("checkbox", { name: `Select ${prefix}-b` }).check();
    await expect(bar).toContainText("2 bots selected");
    await bar.getByRole("button", { name: "Reactivate" }).click();
    await setActive.getByRole("button", { name: "Reactivate 2 bots" }).click();
    await expect(toast(page, "Reactivated 2 bots.")).toBeVisible();
    await expect(botRow(page, `${prefix}-a`)).toContainText("Active");
    await expect(botRow(page, `${prefix}-b`)).toContainText("Active");
    await expect(botRow(page, `${prefix}-c`)).toContainText("Deactivated");

    await page.getByRole("checkbox", { name: "Select all bots on this page" }).check();
    await bar.getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByTestId("delete-bots-dialog");
    const deleteButton = confirm.getByRole("button", { name: "Delete 3 bots" });
    await expect(deleteButton).toBeDisabled();
    await confirm.getByRole("textbox").fill("2");
    await expect(deleteButton).toBeDisabled();
    await confirm.getByRole("textbox").fill("DELETE");
    await expect(deleteButton).toBeEnabled();
    await confirm.getByRole("textbox").fill("3");
    await deleteButton.click();
    await expect(toast(page, "Deleted 3 bots.")).toBeVisible();
    await expect(page.getByTestId("bots-table-empty")).toContainText("No bots match this filter.");
    for (const b of bots) expect((await botInDb(b.id))?.deleted_at).not.toBeNull();

    await page.getByTestId("bots-table-empty").getByRole("link", { name: "Clear the filter" }).click();
    await expect(page).toHaveURL(/\/users\?bsort=name&bdir=asc$/);
    await expect(botsTable(page)).toBeVisible();
  } finally {
    await retireBots(prefix);
  }
});

test("the bots' filter, sort and page live in the URL, and back and forward restore them", async ({ page }) => {
  const prefix = `e2e-page-${stamp()}`;
  const names = Array.from({ length: 12 }, (_, i) => `${prefix}-${String(i + 1).padStart(2, "0")}`);
  await insertBots(names, { deactivated: (_, i) => i % 2 === 1 });
  try {
    await signIn(page, ADMIN);

    // A bookmarked view opens as it was.
    await page.goto(`/users?bq=${prefix}&bsort=name&bdir=asc&bsize=10&bpage=2`);
    await expectFirstCells(botRows(page), names.slice(10));
    await expect(page.getByTestId("bots-table-range")).toHaveText("11–12 of 12 bots");
    await expect(botsPager(page)).toContainText("Page 2 of 2");
    await expect(page.getByTestId("bots-filters").getByLabel("Search bots")).toHaveValue(prefix);

    await page.goto(`/users?bq=${prefix}&bstatus=deactivated&bsort=name&bdir=asc`);
    await expectFirstCells(botRows(page), names.filter((_, i) => i % 2 === 1));
    for (const row of await botRows(page).all()) await expect(row).toContainText("Deactivated");
    await expect(page.getByTestId("bots-filters").getByLabel("Status")).toHaveValue("deactivated");

    // Paging links.
    await page.goto(`/users?bq=${prefix}&bsize=10&bsort=name&bdir=asc`);
    await expectFirstCells(botRows(page), names.slice(0, 10));
    await botsPager(page).getByRole("link", { name: "Next" }).click();
    await expect(page).toHaveURL(/bpage=2/);
    await expectFirstCells(botRows(page), names.slice(10));
    await botsPager(page).getByRole("link", { name: "Previous" }).click();
    await expect(page).not.toHaveURL(/bpage=/);
    await expect(botRows(page)).toHaveCount(10);
    await botsPager(page).getByLabel("Rows per page").selectOption("50");
    await expect(page).toHaveURL(/bsize=50/);
    await expect(botRows(page)).toHaveCount(12);

    // Sort headers change the URL; back and forward walk through the states.
    await page.goto(`/users?bq=${prefix}&bsize=10`);
    const nameHeader = botsTable(page).getByRole("columnheader", { name: "Name" });
    await expect(nameHeader).not.toHaveAttribute("aria-sort");
    await nameHeader.getByRole("button").click();
    await expect(page).toHaveURL(/bsort=name&bdir=asc/);
    await expect(nameHeader).toHaveAttribute("aria-sort", "ascending");
    await expect(botRows(page).first()).toContainText(names[0]!);
    await nameHeader.getByRole("button").click();
    await expect(page).toHaveURL(/bsort=name&bdir=desc/);
    await expect(nameHeader).toHaveAttribute("aria-sort", "descending");
    await expect(botRows(page).first()).toContainText(names[11]!);

    await page.goBack();
    await expect(page).toHaveURL(/bsort=name&bdir=asc/);
    await expect(nameHeader).toHaveAttribute("aria-sort", "ascending");
    await expect(botRows(page).first()).toContainText(names[0]!);
    await page.goBack();
    await expect(page).not.toHaveURL(/bsort=/);
    await expect(nameHeader).not.toHaveAttribute("aria-sort");
    await page.goForward();
    await expect(page).toHaveURL(/bsort=name&bdir=asc/);
    await expect(botRows(page).first()).toContainText(names[0]!);

    // Typing filters after a short pause; the status select applies at once.
    const search = page.getByTestId("bots-filters").getByLabel("Search bots");
    await search.fill(`${prefix}-0`);
    await expect(page).toHaveURL(new RegExp(`bq=${prefix}-0`));
    await expect(botRows(page)).toHaveCount(9);
    await page.getByTestId("bots-filters").getByLabel("Status").selectOption("active");
    await expect(page).toHaveURL(/bstatus=active/);
    await expect(botRows(page)).toHaveCount(5);
    await page.goBack();
    await expect(page).not.toHaveURL(/bstatus=/);
    await expect(botRows(page)).toHaveCount(9);
    await expect(page.getByTestId("bots-filters").getByLabel("Status")).toHaveValue("all");
    await page.goBack();
    await expect(page).toHaveURL(new RegExp(`bq=${prefix}&`));
    await expect(search).toHaveValue(prefix);

    // Nothing matches: say so, and offer the way out.
    await search.fill(`${prefix}-none`);
    await search.press("Enter");
    await expect(page.getByTestId("bots-table-empty")).toContainText("No bots match this filter.");
    await page.getByTestId("bots-table-empty").getByRole("link", { name: "Clear the filter" }).click();
    await expect(page).not.toHaveURL(/bq=/);
    await expect(search).toHaveValue("");
    await expect(botsTable(page)).toBeVisible();
  } finally {
    await retireBots(prefix);
  }
});

test("counts and words are exact: an already revoked credential and an already deactivated bot are named, words agree with their number", async ({ page }) => {
  const prefix = `e2e-exact-${stamp()}`;
  const bots = await insertBots([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`], { deactivated: (_name, i) => i === 2 });
  const account = await acmeId();
  const [a, b] = bots;
  // a: one working authtoken and one already revoked API key; b: one working authtoken.
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint, revoked_at)
    VALUES (${`cr_${hex(11)}`}, ${account}, 'authtoken', ${a!.id}, 'works', 'not-a-real-hash', 'x7Qa', NULL),
           (${`ak_${hex(11)}`}, ${account}, 'api_key', ${a!.id}, 'revoked earlier', 'not-a-real-hash', 'ZCZG', now() - interval '1 day'),
           (${`cr_${hex(11)}`}, ${account}, 'authtoken', ${b!.id}, 'works too', 'not-a-real-hash', 'y8Rb', NULL)`;
  try {
    await signIn(page, ADMIN);
    await page.goto(`/users?bq=${prefix}&bsort=name&bdir=asc`);
    await expect(botRows(page)).toHaveCount(3);

    // One bot, one credential: "1 credential stops working", not "stop".
    await page.getByRole("button", { name: `Deactivate ${prefix}-b` }).click();
    const one = page.getByTestId("set-bots-active-dialog");
    await expect(one.getByTestId("set-bots-active-effect")).toContainText("1 credential stops working at once, so anything using it is refused");
    await one.getByRole("button", { name: "Cancel" }).click();

    // The bulk bar's buttons say what they act on; the toast counts what changed, and names the bot that already was.
    await page.getByRole("checkbox", { name: "Select all bots on this page" }).check();
    const bar = page.getByTestId("bots-bulk-bar");
    await expect(bar.getByRole("button", { name: "Deactivate 3 bots" })).toBeVisible();
    await expect(bar.getByRole("button", { name: "Reactivate 3 bots" })).toBeVisible();
    await expect(bar.getByRole("button", { name: "Delete 3 bots" })).toBeVisible();
    await bar.getByRole("button", { name: "Deactivate 3 bots" }).click();
    await page.getByTestId("set-bots-active-dialog").getByRole("button", { name: "Deactivate 3 bots" }).click();
    await expect(toast(page, "Deactivated 2 bots; 1 was already deactivated.")).toBeVisible();
    const [events] = await sql<{ n: string }>`SELECT count(*) AS n FROM events WHERE type = 'bot.deactivated' AND subject_id IN (${bots[0]!.id}, ${bots[1]!.id}, ${bots[2]!.id})`;
    expect(Number(events!.n)).toBe(2);

    // Delete a: the dialog counts the working credential and the already revoked one; so do the toast and the tombstone.
    await page.goto(`/users/bots/${a!.id}`);
    await page.getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByTestId("delete-bots-dialog");
    await expect(confirm).toContainText("1 credential will be revoked and deleted at once, so anything using it stops working. 1 already revoked credential is deleted too.");
    await confirm.getByRole("textbox").fill(`${prefix}-a`);
    await confirm.getByRole("button", { name: "Delete bot" }).click();
    await expect(toast(page, `Deleted ${prefix}-a and 2 credentials (1 revoked now, 1 already revoked).`)).toBeVisible();
    await page.goto(`/users/bots/${a!.id}`);
    await expect(page.getByText("2 credentials were deleted with it: 1 revoked at that moment, 1 already revoked.")).toBeVisible();
    await expect(page.getByTestId("tombstone-credentials").locator("li").filter({ hasText: "ZCZG" })).toContainText("(already revoked)");
    await expect(page.getByTestId("tombstone-credentials").locator("li").filter({ hasText: "x7Qa" })).not.toContainText("already revoked");
  } finally {
    await retireBots(prefix);
  }
});
