import { expect, test, type Page } from "@playwright/test";
import { sql } from "./support/db";
import { ADMIN, MEMBER, signIn } from "./support/session";
import { acmeId, hex, stamp } from "./support/users";

// An admin resets a person's password; the person signs in with the one-time
// password, can reach nothing but "choose a new password" (pages and server
// actions alike), chooses one, and is then in the dashboard.

/** Every cookie-authenticated route handler (lib/server/session-route.ts wraps them all). */
const COOKIE_ROUTES = [
  ["GET", "/activity/export?format=csv"],
  ["GET", "/activity/new-count?since=1.ev_x"],
  ["POST", "/settings/api-keys"],
] as const;

async function signInAs(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a reset password signs in once and forces a change before anything else", async ({ page, browser }) => {
  const tag = stamp();
  const person = { id: `usr_${hex(11)}`, email: `reset-${tag}@example.com`, name: `Reset Person ${tag}` };
  const account = await acmeId();
  // Their password to begin with is the demo member's, so they can be signed in when the reset comes.
  await sql`INSERT INTO principals (id, kind, name, email, password_hash)
    VALUES (${person.id}, 'person', ${person.name}, ${person.email}, (SELECT password_hash FROM principals WHERE email = ${MEMBER.email}))`;
  await sql`INSERT INTO memberships (account_id, principal_id, role) VALUES (${account}, ${person.id}, 'member')`;
  const before = await browser.newContext();
  try {
    const signedIn = await before.newPage();
    await signInAs(signedIn, person.email, MEMBER.password);
    await expect(signedIn.getByTestId("seat-summary")).toBeVisible();

    await signIn(page, ADMIN);
    await page.goto(`/users?pq=${tag}`);
    const resetAction = page.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"]));
    await page.screenshot({ path: "test-results/people-reset-1280.png", fullPage: true });
    await page.getByRole("button", { name: `Reset password of ${person.name}` }).click();
    const confirm = page.getByTestId("reset-password-dialog");
    await expect(confirm).toContainText("signed out everywhere");
    expect(await confirm.evaluate((d) => d.scrollWidth <= d.clientWidth)).toBe(true);
    await confirm.getByRole("button", { name: "Reset password" }).click();
    const captured = await resetAction;
    const reveal = page.getByTestId("password-reset-dialog");
    await expect(reveal).toContainText("it won't be shown again");
    const oneTime = await reveal.getByTestId("secret-value").inputValue();
    expect(oneTime).toMatch(/^[A-Za-z0-9]{20}$/);
    await page.screenshot({ path: "test-results/password-reset-dialog-1280.png" });
    // The dialog lives in the row's right-aligned, no-wrap cell: its text must still wrap inside it.
    expect(await reveal.evaluate((d) => d.scrollWidth <= d.clientWidth)).toBe(true);
    await expect(reveal.getByText("Copy this password now")).toBeInViewport({ ratio: 1 });
    // Show-once: a click outside and Esc ask first and keep the password on screen.
    await page.mouse.click(5, 5);
    await expect(reveal.getByTestId("dismiss-question")).toBeVisible();
    await expect(reveal.getByTestId("secret-value")).toHaveValue(oneTime);
    await page.getByRole("button", { name: "Keep it open" }).click();
    await page.keyboard.press("Escape");
    await expect(reveal.getByTestId("secret-value")).toHaveValue(oneTime);
    await page.getByRole("button", { name: "Keep it open" }).click();
    await reveal.getByRole("button", { name: "I've stored it" }).click();
    await expect(reveal).toBeHidden();

    const [event] = await sql<{ data: unknown; principal_id: string }>`SELECT data, principal_id FROM events WHERE subject_id = ${person.id} AND type = 'person.password_reset'`;
    expect(event).toBeDefined();
    expect(JSON.stringify(event)).not.toContain(oneTime);

    // The session they had is over: their next page is the sign-in page, saying so; their old password is refused.
    await signedIn.goto("/users");
    await expect(signedIn).toHaveURL(/\/sign-in/);
    await expect(signedIn.getByText("Your session has ended. Sign in again.")).toBeVisible();
    await signInAs(signedIn, person.email, MEMBER.password);
    await expect(signedIn.getByTestId("sign-in-error")).toContainText("Wrong email or password.");
    await before.close();

    const context = await browser.newContext();
    const theirs = await context.newPage();
    try {
      await signInAs(theirs, person.email, oneTime);
      await expect(theirs).toHaveURL(/\/choose-password$/);
      await expect(theirs.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
      await theirs.screenshot({ path: "test-results/choose-password-1280.png", fullPage: true });
      for (const path of ["/", "/users", "/settings", "/credentials"]) {
        await theirs.goto(path);
        await expect(theirs, path).toHaveURL(/\/choose-password$/);
      }
      // A dashboard server action is refused on the server too: the admin's reset request, replayed from this session, is
      // answered with a redirect to /choose-password before any rule runs (a member would otherwise get "not_admin").
      const reply = await theirs.evaluate(
        async ({ actionId, tree, contentType, body }) => {
          const res = await fetch("/users", {
            method: "POST",
            headers: { Accept: "text/x-component", "Next-Action": actionId, "Next-Router-State-Tree": tree, "Content-Type": contentType },
            body,
          });
          return { text: await res.text(), redirect: res.headers.get("x-action-redirect") };
        },
        {
          actionId: captured.headers()["next-action"]!,
          tree: captured.headers()["next-router-state-tree"] ?? "",
          contentType: captured.headers()["content-type"] ?? "text/plain;charset=UTF-8",
          body: captured.postData() ?? "",
        },
      );
      expect(reply.redirect ?? "").toContain("/choose-password");
      expect(reply.text).not.toContain("not_admin");
      // The cookie-authenticated route handlers refuse them alike (one wrapper, one JSON answer); signed out, 401.
      const origin = new URL(theirs.url()).origin;
      for (const [method, path] of COOKIE_ROUTES) {
        const init = { method, headers: { "Content-Type": "application/json", Origin: origin }, ...(method === "POST" ? { data: "{}" } : {}) };
        const refused = await theirs.request.fetch(path, init);
        expect([path, refused.status(), await refused.json()]).toEqual([path, 403, { error: "Choose a new password in the dashboard first.", code: "must_change_password" }]);
        const anonymous = await fetch(`${origin}${path}`, { method, headers: init.headers, ...(method === "POST" ? { body: "{}" } : {}) });
        expect([path, anonymous.status, await anonymous.json()]).toEqual([path, 401, { error: "Sign in first: this needs the dashboard's session.", code: "unauthenticated" }]);
      }
      expect(await sql`SELECT id FROM credentials WHERE owner_id = ${person.id}`).toEqual([]);

      await theirs.getByLabel("New password", { exact: true }).fill(oneTime);
      await theirs.getByLabel("Repeat the new password").fill(oneTime);
      await theirs.getByRole("button", { name: "Save and continue" }).click();
      await expect(theirs.getByText("Choose a password of your own, not the one-time password")).toBeVisible();
      await theirs.getByLabel("New password", { exact: true }).fill("my very own password");
      await theirs.getByLabel("Repeat the new password").fill("my very own password");
      await theirs.getByRole("button", { name: "Save and continue" }).click();
      await expect(theirs.getByTestId("seat-summary")).toBeVisible();
      await expect(theirs).toHaveURL(/\/$/);
      await theirs.goto("/settings");
      await expect(theirs.getByRole("heading", { name: "Your settings" })).toBeVisible();
    } finally {
      await context.close();
    }
    const [after] = await sql<{ must_change_password: boolean }>`SELECT must_change_password FROM principals WHERE id = ${person.id}`;
    expect(after!.must_change_password).toBe(false);

    // The one-time password no longer works; the chosen one does.
    const again = await browser.newContext();
    try {
      const p = await again.newPage();
      await signInAs(p, person.email, oneTime);
      await expect(p.getByTestId("sign-in-error")).toContainText("Wrong email or password.");
      await signInAs(p, person.email, "my very own password");
      await expect(p.getByTestId("seat-summary")).toBeVisible();
    } finally {
      await again.close();
    }
  } finally {
    await before.close();
    // Frees the seat for the other specs.
    await sql`DELETE FROM memberships WHERE principal_id = ${person.id}`;
  }
});

test("the choose-a-new-password page fits a phone", async ({ browser }) => {
  const tag = stamp();
  const person = { id: `usr_${hex(11)}`, email: `reset-phone-${tag}@example.com`, name: `Phone Reset ${tag}` };
  const account = await acmeId();
  await sql`INSERT INTO principals (id, kind, name, email, password_hash) VALUES (${person.id}, 'person', ${person.name}, ${person.email}, 'x')`;
  await sql`INSERT INTO memberships (account_id, principal_id, role) VALUES (${account}, ${person.id}, 'member')`;
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const admin = await context.newPage();
    await signIn(admin, ADMIN);
    await admin.goto(`/users?pq=${tag}`);
    // At phone width the row is a card with its name and all its actions, Reset password among them.
    await expect(admin.getByRole("button", { name: `Reset password of ${person.name}` })).toBeInViewport();
    await admin.screenshot({ path: "test-results/people-reset-390.png", fullPage: true });
    await admin.getByRole("button", { name: `Reset password of ${person.name}` }).click();
    await admin.getByTestId("reset-password-dialog").getByRole("button", { name: "Reset password" }).click();
    const oneTime = await admin.getByTestId("password-reset-dialog").getByTestId("secret-value").inputValue();
    await admin.screenshot({ path: "test-results/password-reset-dialog-390.png" });
    expect(await admin.getByTestId("password-reset-dialog").evaluate((d) => d.scrollWidth <= d.clientWidth)).toBe(true);
    await admin.getByTestId("password-reset-dialog").getByRole("button", { name: "I've stored it" }).click();
    await admin.getByRole("button", { name: "Sign out" }).click();
    await expect(admin).toHaveURL(/\/sign-in/);

    await signInAs(admin, person.email, oneTime);
    await expect(admin).toHaveURL(/\/choose-password$/);
    const width = await admin.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await expect(admin.getByRole("button", { name: "Save and continue" })).toBeInViewport();
    await admin.screenshot({ path: "test-results/choose-password-390.png", fullPage: true });
    // Signing out is the one other way out.
    await admin.getByRole("button", { name: "Sign out instead" }).click();
    await expect(admin).toHaveURL(/\/sign-in/);
  } finally {
    await context.close();
    await sql`DELETE FROM memberships WHERE principal_id = ${person.id}`;
  }
});
