import { expect, test } from "@playwright/test";
import { sql } from "./support/db";
import { ADMIN, MEMBER, signIn } from "./support/session";
import { acmeId, botIdByName, botInDb, botRow, botsTable, hex, insertBots, retireBots, stamp, toast } from "./support/users";

// Runs after auth.spec.ts on the same database. Every test makes its own bots
// and people under unique names and asserts on those (never on totals), and
// puts back what it changed that another test could notice (seats).

const NOT_ADMIN = "You must be an admin to create, update or delete bots";

test("a member sees the page read-only, and a forged server action changes nothing", async ({ page, browser }) => {
  // The admin deletes a throwaway bot, so we learn how the browser calls the real delete action.
  const throwaway = `e2e-forge-${stamp()}`;
  const [bot] = await insertBots([throwaway]);
  await signIn(page, ADMIN);
  await page.goto(`/users?bq=${throwaway}`);
  await page.getByRole("button", { name: `Delete ${throwaway}` }).click();
  await page.getByTestId("delete-bots-dialog").getByRole("textbox").fill(throwaway);
  const actionRequest = page.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"]));
  await page.getByTestId("delete-bots-dialog").getByRole("button", { name: "Delete bot" }).click();
  const captured = await actionRequest;
  await expect(toast(page, `Deleted ${throwaway}.`)).toBeVisible();
  const headers = captured.headers();
  const body = captured.postData() ?? "";
  expect(body).toContain(bot!.id);

  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  try {
    await signIn(member, MEMBER);
    await member.goto("/users");
    await expect(member.getByTestId("read-only-note")).toBeVisible();
    await expect(botRow(member, "ci-deployer")).toBeVisible();
    for (const label of ["Create bot", "Add person", "Rename ci-deployer", "Delete ci-deployer", "Deactivate ci-deployer"]) {
      await expect(member.getByRole("button", { name: label })).toHaveCount(0);
    }
    await expect(member.getByRole("checkbox")).toHaveCount(0);
    await expect(member.getByRole("combobox", { name: /^Role of/ })).toHaveCount(0);

    // The member's browser sends the admin's exact request, aimed at ci-deployer.
    const target = await botIdByName("ci-deployer");
    const before = await botInDb(target);
    const reply = await member.evaluate(
      async ({ actionId, tree, contentType, body }) => {
        const res = await fetch("/users", {
          method: "POST",
          headers: { Accept: "text/x-component", "Next-Action": actionId, "Next-Router-State-Tree": tree, "Content-Type": contentType },
          body,
        });
        return { status: res.status, text: await res.text() };
      },
      {
        actionId: headers["next-action"]!,
        tree: headers["next-router-state-tree"] ?? "",
        contentType: headers["content-type"] ?? "text/plain;charset=UTF-8",
        body: body.replaceAll(bot!.id, target),
      },
    );
    expect(reply.status).toBe(200);
    expect(reply.text).toContain(NOT_ADMIN);
    expect(reply.text).toContain("not_admin");
    expect(await botInDb(target)).toEqual(before);
    expect(before?.deleted_at).toBeNull();
    const [events] = await sql<{ n: string }>`SELECT count(*) AS n FROM events WHERE subject_id = ${target} AND type = 'bot.deleted'`;
    expect(Number(events!.n)).toBe(0);
  } finally {
    await memberContext.close();
  }
});

test("adding a person at the seat limit is refused with a clear message; adding a bot is not", async ({ page }) => {
  const account = await acmeId();
  const tag = stamp();
  const [{ seat_limit: limit }] = (await sql<{ seat_limit: number }>`SELECT seat_limit FROM accounts WHERE id = ${account}`) as [
    { seat_limit: number },
  ];
  const [{ n }] = (await sql<{ n: string }>`SELECT count(*) AS n FROM memberships m JOIN principals p ON p.id = m.principal_id
    WHERE m.account_id = ${account} AND m.status = 'active' AND p.kind = 'person' AND p.status = 'active'`) as [{ n: string }];
  const fillers = Array.from({ length: Math.max(0, limit - Number(n)) }, (_, i) => ({ id: `usr_${hex(11)}`, email: `seat-${tag}-${i}@example.com` }));
  const botName = `e2e-seatless-${tag}`;
  try {
    for (const f of fillers) {
      await sql`INSERT INTO principals (id, kind, name, email, password_hash) VALUES (${f.id}, 'person', ${`Seat Filler ${f.email}`}, ${f.email}, 'x')`;
      await sql`INSERT INTO memberships (account_id, principal_id, role) VALUES (${account}, ${f.id}, 'member')`;
    }
    await signIn(page, ADMIN);
    await page.goto("/users");
    const summary = page.getByTestId("users-seat-summary");
    await expect(summary).toHaveText(new RegExp(`^${limit} of ${limit} seats used · \\d+ bots? \\(bots don't use seats\\)$`));
    const botsBefore = Number(/· (\d+) bot/.exec((await summary.textContent()) ?? "")?.[1]);
    await expect(page.getByTestId("seat-limit-warning")).toBeVisible();

    await page.getByRole("button", { name: "Add person" }).click();
    const dialog = page.getByTestId("add-person-dialog");
    await dialog.getByLabel("Email").fill(`late-${tag}@example.com`);
    await dialog.getByLabel("Name").fill("Late Comer");
    await dialog.getByRole("button", { name: "Add person" }).click();
    await expect(dialog.getByTestId("add-person-error")).toContainText(`All ${limit} seats are in use.`);
    await expect(dialog.getByLabel("Email")).toHaveValue(`late-${tag}@example.com`);
    const [nobody] = await sql<{ n: string }>`SELECT count(*) AS n FROM principals WHERE email = ${`late-${tag}@example.com`}`;
    expect(Number(nobody!.n)).toBe(0);
    await page.keyboard.press("Escape");

    await page.getByRole("button", { name: "Create bot" }).click();
    await page.getByTestId("create-bot-dialog").getByLabel("Name").fill(botName);
    await page.getByTestId("create-bot-dialog").getByRole("button", { name: "Create bot" }).click();
    await expect(page.getByTestId("bot-created-next")).toContainText(`Bot ${botName} created.`);
    await page.goto("/users");
    await expect(summary).toHaveText(`${limit} of ${limit} seats used · ${botsBefore + 1} bots (bots don't use seats)`);
  } finally {
    for (const f of fillers) {
      await sql`DELETE FROM memberships WHERE principal_id = ${f.id}`;
      await sql`DELETE FROM principals WHERE id = ${f.id}`;
    }
    await retireBots(botName);
  }
});

test("an admin adds a person, who signs in with the one-time password; then changes, deactivates and removes them", async ({ page, browser }) => {
  const tag = stamp();
  const email = `new-${tag}@example.com`;
  const name = `New Person ${tag}`;
  await signIn(page, ADMIN);
  await page.goto("/users");

  await page.getByRole("button", { name: "Add person" }).click();
  const dialog = page.getByTestId("add-person-dialog");
  await expect(dialog.getByLabel("Email")).toBeFocused();
  await dialog.getByLabel("Email").fill("not-an-email");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Add person" }).click();
  await expect(dialog.getByText("Enter a valid email")).toBeVisible();
  await expect(dialog.getByLabel("Name")).toHaveValue(name);
  await dialog.getByLabel("Email").fill(email);
  await dialog.getByRole("button", { name: "Add person" }).click();
  await expect(dialog.getByTestId("person-added")).toContainText("it won't be shown again");
  const password = await dialog.getByTestId("secret-value").inputValue();
  expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
  await dialog.getByRole("button", { name: "I've stored it" }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByTestId("people-table").locator("tbody tr").filter({ hasText: email });
  await expect(row).toContainText("Active");

  const other = await browser.newContext();
  try {
    await signIn(await other.newPage(), { email, password });
  } finally {
    await other.close();
  }

  // Someone who already has a Botdesk user keeps their password.
  const existing = { id: `usr_${hex(11)}`, email: `known-${tag}@example.com` };
  await sql`INSERT INTO principals (id, kind, name, email, password_hash) VALUES (${existing.id}, 'person', 'Known Person', ${existing.email}, 'x')`;
  await page.getByRole("button", { name: "Add person" }).click();
  await dialog.getByLabel("Email").fill(existing.email);
  await dialog.getByLabel("Name").fill("Known Person");
  await dialog.getByRole("button", { name: "Add person" }).click();
  await expect(dialog.getByTestId("person-added")).toContainText("they keep their existing password");
  // …and what to do when nobody knows it.
  await expect(dialog.getByTestId("person-added")).toContainText("If they no longer know it, Reset password on their row gives them a one-time password");
  await expect(dialog.getByTestId("secret-value")).toHaveCount(0);
  await dialog.getByRole("button", { name: "Done" }).click();

  await page.getByLabel(`Role of ${name}`).selectOption("admin");
  await expect(toast(page, `${name} is now admin.`)).toBeVisible();
  const [membership] = await sql<{ role: string }>`SELECT m.role FROM memberships m JOIN principals p ON p.id = m.principal_id WHERE p.email = ${email}`;
  expect(membership!.role).toBe("admin");

  await page.getByRole("button", { name: `Deactivate ${name}` }).click();
  await page.getByTestId("deactivate-person-dialog").getByRole("button", { name: "Deactivate" }).click();
  await expect(row).toContainText("Deactivated");
  await page.getByRole("button", { name: `Reactivate ${name}` }).click();
  await expect(row).toContainText("Active");

  for (const who of [name, "Known Person"]) {
    await page.getByRole("button", { name: `Remove ${who}` }).click();
    await page.getByTestId("remove-person-dialog").getByRole("button", { name: "Remove" }).click();
    await expect(toast(page, `Removed ${who} from this account.`)).toBeVisible();
  }
  await expect(row).toHaveCount(0);
  const [left] = await sql<{ n: string }>`SELECT count(*) AS n FROM memberships m JOIN principals p ON p.id = m.principal_id WHERE p.email IN (${email}, ${existing.email})`;
  expect(Number(left!.n)).toBe(0);
});

test("the users page and its dialogs fit a phone; table rows are cards that need no sideways scrolling", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, ADMIN);
  await page.goto("/users");
  await expect(botsTable(page)).toBeVisible();
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  const scroller = botsTable(page).locator("..");
  // Each row is a card at this width (name, facts, actions together: e2e/ui.spec.ts), so nothing scrolls sideways.
  expect(await scroller.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(false);

  await page.getByRole("button", { name: "Create bot" }).click();
  const box = await page.getByTestId("create-bot-dialog").boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  expect(await overflow()).toBeLessThanOrEqual(0);
});
