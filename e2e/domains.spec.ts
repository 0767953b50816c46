import { hash } from "@node-rs/argon2";
import { expect, test, type Page } from "@playwright/test";
import { newId } from "../lib/ids";
import { E2E_PASSWORD } from "./support/constants";
import { sql } from "./support/db";
import { MEMBER, signIn } from "./support/session";
import { stamp, toast } from "./support/users";

// Settings → Domains in the browser: an owner of a new account (so the list
// starts empty) reserves, sees refusals under the field, deletes after a
// confirmation; a member sees the list read-only; the page reads at 390 px.

/** The owner of a new account of their own, who can sign in with the e2e password. */
async function newOwner(): Promise<{ email: string; password: string; accountId: string }> {
  const accountId = newId("account");
  const personId = newId("person");
  const email = `domains-owner-${stamp()}@example.test`;
  const passwordHash = await hash(E2E_PASSWORD, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
  await sql`INSERT INTO accounts (id, name, seat_limit) VALUES (${accountId}, ${`Domains ${stamp()}`}, 10)`;
  await sql`INSERT INTO principals (id, kind, name, email, password_hash) VALUES (${personId}, 'person', 'Dora Domains', ${email}, ${passwordHash})`;
  await sql`INSERT INTO memberships (account_id, principal_id, role) VALUES (${accountId}, ${personId}, 'owner')`;
  return { email, password: E2E_PASSWORD, accountId };
}

const form = (page: Page) => page.getByTestId("reserve-domain-form");
const rows = (page: Page) => page.getByTestId("domains-table").locator("tbody tr");

test("an owner reserves domains, sees why a name is refused under the field, and deletes one after confirming", async ({ page }) => {
  const owner = await newOwner();
  await signIn(page, owner);
  await page.goto("/settings");
  await expect(page.getByTestId("settings-domains-summary")).toContainText("No domains reserved yet");
  await page.getByTestId("settings-domains-link").click();
  await expect(page).toHaveURL(/\/settings\/domains$/);
  await expect(page.getByRole("heading", { level: 1, name: "Domains" })).toBeVisible();
  await expect(page.getByTestId("domains-table-empty")).toContainText("No domains reserved yet");

  // A name that is not one: the reason under the field, what was typed kept.
  await form(page).getByLabel("Domain").fill("app.*.example.com");
  await form(page).getByLabel("Description (optional)").fill("the app");
  await form(page).getByRole("button", { name: "Reserve domain" }).click();
  const domainField = form(page).getByLabel("Domain");
  await expect(domainField).toHaveAttribute("aria-invalid", "true");
  await expect(form(page)).toContainText("A wildcard is only the whole first part of a domain");
  await expect(domainField).toHaveValue("app.*.example.com");
  await expect(form(page).getByLabel("Description (optional)")).toHaveValue("the app");
  await page.screenshot({ path: "test-results/settings-domains-refused.png", fullPage: true });
  // The tunnel domain: refused, said under the field.
  await domainField.fill("*.tunnel.localhost");
  await form(page).getByRole("button", { name: "Reserve domain" }).click();
  await expect(form(page)).toContainText("Botdesk hands out random names under tunnel.localhost itself");

  const zone = `ui-${stamp()}.example.com`;
  await form(page).getByLabel("Domain").fill(`*.${zone.toUpperCase()}`);
  await form(page).getByLabel("Description (optional)").fill("every preview app");
  await form(page).getByRole("button", { name: "Reserve domain" }).click();
  await expect(toast(page, `Reserved *.${zone}.`)).toBeVisible();
  await expect(form(page).getByLabel("Domain")).toHaveValue("");
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText(`*.${zone}`);
  await expect(rows(page).first()).toContainText("every preview app");
  // The app's time formatting: the exact instant on hover, the date and time shown.
  await expect(rows(page).first().locator("time")).toHaveAttribute("datetime", /^\d{4}-\d{2}-\d{2}T/);
  await form(page).getByLabel("Domain").fill(`api.${zone}`);
  await form(page).getByRole("button", { name: "Reserve domain" }).click();
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(page).first()).toContainText(`api.${zone}`);
  await expect(rows(page).first()).toContainText("None");

  // Delete: Cancel keeps it; confirming removes it and records it.
  await rows(page).first().getByRole("button", { name: `Delete api.${zone}` }).click();
  const dialog = page.getByTestId("delete-domain-dialog");
  await expect(dialog).toContainText(`Delete api.${zone}?`);
  await expect(dialog).toContainText("Endpoints online now stay online until their sessions end");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(rows(page)).toHaveCount(2);
  await rows(page).first().getByRole("button", { name: `Delete api.${zone}` }).click();
  await dialog.getByRole("button", { name: "Delete domain" }).click();
  await expect(toast(page, `Deleted api.${zone}.`)).toBeVisible();
  await expect(rows(page)).toHaveCount(1);
  const recorded = await sql<{ type: string; source: string }>`
    SELECT type, source FROM events WHERE account_id = ${owner.accountId} AND type LIKE 'reserved_domain.%' ORDER BY id`;
  expect(recorded).toEqual([
    { type: "reserved_domain.created", source: "dashboard" },
    { type: "reserved_domain.created", source: "dashboard" },
    { type: "reserved_domain.deleted", source: "dashboard" },
  ]);
  await page.goto("/settings");
  await expect(page.getByTestId("settings-domains-summary")).toContainText("1 domain reserved");

  // At phone width: no sideways scroll, every control reachable.
  await page.goto("/settings/domains");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(rows(page)).toHaveCount(1);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await expect(form(page).getByRole("button", { name: "Reserve domain" })).toBeInViewport({ ratio: 1 });
  await page.screenshot({ path: "test-results/settings-domains-390.png", fullPage: true });
});

test("a member sees the account's domains read-only: no form, no delete", async ({ page }) => {
  const [acme] = await sql<{ id: string }>`SELECT id FROM accounts WHERE name = 'Acme'`;
  const name = `member-view-${stamp()}.example.com`;
  await sql`INSERT INTO reserved_domains (id, account_id, domain, zone_key, description)
    VALUES (${newId("reservedDomain")}, ${acme!.id}, ${name}, ${name.split(".").reverse().map((l) => `${l}.`).join("")}, 'seen by members')`;
  await signIn(page, MEMBER);
  await page.goto("/settings");
  await expect(page.getByTestId("settings-domains-link")).toHaveText("See domains");
  await page.getByTestId("settings-domains-link").click();
  await expect(page.getByTestId("domains-read-only-note")).toBeVisible();
  await expect(page.getByTestId("reserve-domain-form")).toHaveCount(0);
  const row = rows(page).filter({ hasText: name });
  await expect(row).toContainText("seen by members");
  await expect(page.getByTestId("domains-table").getByRole("button", { name: /^Delete/ })).toHaveCount(0);
});

test("a long list pages 25 at a time, newest first", async ({ page }) => {
  const owner = await newOwner();
  const zone = `pages-${stamp()}.example.com`;
  for (let i = 0; i < 26; i++) {
    const name = `n${String(i).padStart(2, "0")}.${zone}`;
    // Ids sort by creation time: one a millisecond apart, the last inserted is the newest.
    await sql`INSERT INTO reserved_domains (id, account_id, domain, zone_key)
      VALUES (${newId("reservedDomain", Date.now() - 1000 + i)}, ${owner.accountId}, ${name}, ${name.split(".").reverse().map((l) => `${l}.`).join("")})`;
  }
  await signIn(page, owner);
  await page.goto("/settings/domains");
  await expect(page.getByTestId("domains-table-range")).toHaveText("1–25 of 26 domains");
  await expect(rows(page).first()).toContainText(`n25.${zone}`);
  await page.getByRole("navigation", { name: "Reserved domains pages" }).getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/dpage=2$/);
  await expect(page.getByTestId("domains-table-range")).toHaveText("26–26 of 26 domains");
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText(`n00.${zone}`);
  await expect(page.getByRole("navigation", { name: "Reserved domains pages" }).getByText("Next")).toHaveAttribute("aria-disabled", "true");
});
