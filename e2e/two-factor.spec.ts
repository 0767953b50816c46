import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { decodeQR } from "qr/decode.js";
import { sql } from "./support/db";
import { E2E_DATA_DIR, E2E_DATABASE_URL } from "./support/constants";
import { MEMBER } from "./support/session";
import { hex, stamp } from "./support/users";
import { earlyInTotpStep } from "./support/totp-step";

// Two-factor sign-in through the real UI, in an account of its own (the demo account stays as the
// other specs expect it): a member sets it up in Settings (reading the key from the page and
// computing codes here, as an authenticator app would), signs out and in with a code and with a
// recovery code; an owner resets it on /users; the owner requires it for everyone and is sent to
// set it up; a member without it can do nothing else; the operator's command resets the owner.

const code = (secret: string, at = Date.now()) => TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30, timestamp: at });

const tag = stamp();
const accountId = `ac_${hex(11)}`;
const person = (role: string) => ({ id: `usr_${hex(11)}`, email: `twofa-${role}-${tag}@example.com`, name: `Twofa ${role} ${tag}`, password: MEMBER.password });
const owner = person("owner");
const member = person("member");
const newcomer = person("newcomer");
let memberSecret = "";
let memberRecoveryCodes: string[] = [];
let ownerSecret = "";

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  await sql`INSERT INTO accounts (id, name, seat_limit) VALUES (${accountId}, ${`Twofa Co ${tag}`}, 10)`;
  for (const [p, role] of [[owner, "owner"], [member, "member"], [newcomer, "member"]] as const) {
    // The demo member's password hash: every one of them signs in with E2E_PASSWORD.
    await sql`INSERT INTO principals (id, kind, name, email, password_hash)
      VALUES (${p.id}, 'person', ${p.name}, ${p.email}, (SELECT password_hash FROM principals WHERE email = ${MEMBER.email}))`;
    await sql`INSERT INTO memberships (account_id, principal_id, role) VALUES (${accountId}, ${p.id}, ${role})`;
  }
});

test.afterAll(async () => {
  // Whatever happened, the requirement does not outlive this spec.
  await sql`UPDATE accounts SET require_two_factor = false WHERE id = ${accountId}`;
});

async function passwordStep(page: Page, who: { email: string; password: string }) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
}

async function codeStep(page: Page, value: string, opts: { recovery?: boolean } = {}) {
  await expect(page).toHaveURL(/\/sign-in\/two-factor$/);
  if (opts.recovery) await page.getByRole("button", { name: "Use a recovery code" }).click();
  await page.getByLabel(opts.recovery ? "Recovery code" : "Authentication code").fill(value);
  await page.getByRole("button", { name: "Verify" }).click();
}

/** Sets up the app on whatever page shows the setup; returns the key read from the page (and checks the QR code carries it). */
async function setUp(page: Page, startLabel: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  await page.getByRole("button", { name: startLabel }).click();
  const shown = page.getByTestId("two-factor-secret");
  await expect(shown).toBeVisible();
  const secret = (await shown.innerText()).replace(/\s+/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.screenshot({ path: `test-results/two-factor-setup-${page.viewportSize()?.width}.png`, fullPage: true });
  // The QR code, drawn by the server, decodes (as a phone would read it) to the otpauth URI of that key.
  const qr = page.getByTestId("two-factor-qr");
  const pixels = await qr.evaluate(async (img: HTMLImageElement) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 400;
    const g = canvas.getContext("2d")!;
    g.fillStyle = "#fff";
    g.fillRect(0, 0, 400, 400);
    g.imageSmoothingEnabled = false;
    const source = new Image();
    source.src = img.src;
    await source.decode();
    g.drawImage(source, 0, 0, 400, 400);
    return Array.from(g.getImageData(0, 0, 400, 400).data);
  });
  const uri = new URL(decodeQR({ width: 400, height: 400, data: new Uint8Array(pixels) }));
  expect(uri.protocol).toBe("otpauth:");
  expect(uri.searchParams.get("secret")).toBe(secret);
  expect(uri.searchParams.get("issuer")).toBe("Botdesk");
  // A wrong code is refused; a current one (of the step before: the app's clock may lag) turns it on.
  const wrong = String((Number(code(secret)) + 1) % 1_000_000).padStart(6, "0");
  await page.getByLabel("Code from the app").fill(wrong);
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expect(page.getByText("That code does not match")).toBeVisible();
  await earlyInTotpStep(page);
  await page.getByLabel("Code from the app").fill(code(secret, Date.now() - 30_000));
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  const reveal = page.getByTestId("recovery-codes-reveal");
  await expect(reveal).toContainText("they won't be shown again");
  const recoveryCodes = (await reveal.getByTestId("recovery-codes").locator("li").allInnerTexts()).map((c) => c.trim());
  expect(recoveryCodes).toHaveLength(10);
  await page.screenshot({ path: `test-results/two-factor-codes-${page.viewportSize()?.width}.png`, fullPage: true });
  // Readable at 390 px: nothing wider than the screen.
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await reveal.getByRole("button", { name: "I've stored them" }).click();
  return { secret, recoveryCodes };
}

async function newPage(browser: Browser) {
  const context = await browser.newContext();
  return { context, page: await context.newPage() };
}

test("a member sets up two-factor in Settings, then signs in with a code, and once with each recovery code", async ({ page }) => {
  test.setTimeout(90_000);
  await passwordStep(page, member);
  await expect(page.getByTestId("seat-summary")).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/settings");
  const panel = page.getByTestId("two-factor-panel");
  await expect(panel).toBeVisible();
  ({ secret: memberSecret, recoveryCodes: memberRecoveryCodes } = await setUp(page, "Set up two-factor sign-in"));
  await expect(page.getByTestId("two-factor-status")).toContainText("10 unused recovery codes left");
  await page.getByTestId("two-factor-panel").screenshot({ path: "test-results/two-factor-settings-390.png" });
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await page.setViewportSize({ width: 1280, height: 800 });
  // The key is never shown again.
  await page.reload();
  await expect(page.getByTestId("two-factor-secret")).toHaveCount(0);
  expect(await page.content()).not.toContain(memberSecret);
  const [event] = await sql<{ data: unknown }>`SELECT data FROM events WHERE subject_id = ${member.id} AND type = 'person.two_factor_enabled'`;
  expect(event?.data).toEqual({ recoveryCodes: 10, otherSessionsEnded: true });
  await signOut(page);

  // The password alone gives no session, through Auth.js's own endpoint either: it answers "second_factor".
  const csrf = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const direct = await page.request.post("/api/auth/callback/credentials", {
    form: { csrfToken: csrf.csrfToken, login: member.email, password: member.password },
    maxRedirects: 0,
  });
  expect(new URL(direct.headers()["location"]!, "http://x").searchParams.get("code")).toBe("second_factor");
  expect((await page.context().cookies()).filter((c) => c.name.endsWith("session-token"))).toEqual([]);
  await passwordStep(page, member);
  await expect(page).toHaveURL(/\/sign-in\/two-factor$/);
  await page.screenshot({ path: "test-results/two-factor-code-step-1280.png" });
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/sign-in/two-factor");
  await codeStep(page, code(memberSecret));
  await expect(page.getByTestId("seat-summary")).toBeVisible();
  await signOut(page);

  // A recovery code, in the same field after "Use a recovery code": once.
  await passwordStep(page, member);
  await codeStep(page, memberRecoveryCodes[0]!, { recovery: true });
  await expect(page.getByTestId("seat-summary")).toBeVisible();
  const [used] = await sql<{ data: unknown }>`SELECT data FROM events WHERE subject_id = ${member.id} AND type = 'login.recovery_code_used'`;
  expect(used?.data).toEqual({ remaining: 9 });
  await signOut(page);
  await passwordStep(page, member);
  await codeStep(page, memberRecoveryCodes[0]!, { recovery: true });
  await expect(page.getByTestId("second-factor-error")).toContainText("That code is not right");
  // The app's field takes a recovery code too (typed any way: upper case, spaces).
  await page.getByRole("button", { name: "Use the code from your app" }).click();
  await codeStep(page, memberRecoveryCodes[1]!.toUpperCase().replaceAll("-", " "));
  await expect(page.getByTestId("seat-summary")).toBeVisible();
});

test("an owner resets the member's two-factor on /users: their sessions end, and the password alone signs them in", async ({ page, browser }) => {
  test.setTimeout(60_000);
  const theirs = await newPage(browser);
  try {
    await passwordStep(theirs.page, member);
    await codeStep(theirs.page, code(memberSecret, Date.now() + 30_000));
    await expect(theirs.page.getByTestId("seat-summary")).toBeVisible();

    await passwordStep(page, owner);
    await expect(page.getByTestId("seat-summary")).toBeVisible();
    await page.goto(`/users?pq=${tag}`);
    const row = page.getByTestId("people-table").locator("tbody tr").filter({ hasText: member.email });
    await expect(row.getByTestId("has-two-factor")).toBeVisible();
    await row.getByRole("button", { name: `Reset two-factor of ${member.name}` }).click();
    const dialog = page.getByTestId("reset-two-factor-dialog");
    await expect(dialog).toContainText("signed out everywhere");
    await dialog.getByRole("button", { name: "Reset two-factor" }).click();
    await expect(dialog).toBeHidden();
    await expect(row.getByTestId("has-two-factor")).toHaveCount(0);
    const [event] = await sql<{ principal_id: string; data: unknown }>`SELECT principal_id, data FROM events WHERE subject_id = ${member.id} AND type = 'person.two_factor_reset'`;
    expect(event).toEqual({ principal_id: owner.id, data: { sessionsEnded: true } });

    await theirs.page.reload();
    await expect(theirs.page).toHaveURL(/\/sign-in/);
    await passwordStep(theirs.page, member);
    await expect(theirs.page.getByTestId("seat-summary")).toBeVisible();
  } finally {
    await theirs.context.close();
  }
});

test("an owner requires two-factor: they and a member without it can do nothing but set it up", async ({ page, browser }) => {
  test.setTimeout(90_000);
  await passwordStep(page, owner);
  await expect(page.getByTestId("seat-summary")).toBeVisible();
  await page.goto("/settings#account");
  await expect(page.getByTestId("two-factor-requirement")).toContainText("Not required.");
  await page.getByRole("button", { name: "Require two-factor sign-in" }).click();
  const confirm = page.getByTestId("two-factor-requirement-dialog");
  await expect(confirm).toContainText("can do nothing but set one up");
  await confirm.getByRole("button", { name: "Require it" }).click();
  // The owner has none either: the next request sends them to set it up, and every page does the same.
  await expect(page).toHaveURL(/\/set-up-two-factor$/);
  await page.goto("/users");
  await expect(page).toHaveURL(/\/set-up-two-factor$/);
  await page.screenshot({ path: "test-results/two-factor-required-setup-1280.png", fullPage: true });
  const { secret } = await setUp(page, "Start setup");
  await expect(page.getByTestId("seat-summary")).toBeVisible();
  const [changed] = await sql<{ data: unknown }>`SELECT data FROM events WHERE account_id = ${accountId} AND type = 'account.two_factor_requirement_changed'`;
  expect(changed?.data).toEqual({ before: { requireTwoFactor: false }, after: { requireTwoFactor: true }, peopleWithout: 3 });
  await page.goto("/settings#account");
  await expect(page.getByTestId("two-factor-requirement")).toContainText("Required.");
  ownerSecret = secret;

  // A member without it, right after their password: only the setup, pages and cookie routes alike.
  const theirs = await newPage(browser);
  try {
    await passwordStep(theirs.page, newcomer);
    await expect(theirs.page).toHaveURL(/\/set-up-two-factor$/);
    await theirs.page.goto("/credentials");
    await expect(theirs.page).toHaveURL(/\/set-up-two-factor$/);
    // Signed in but not finished (two-factor to set up): the cookie routes answer 403 must_enrol_two_factor, as pages send them to set it up.
    expect((await theirs.page.request.get("/activity/new-count?since=x")).status()).toBe(403);
    await expect(theirs.page.getByText(`Twofa Co ${tag}`)).toBeVisible();
  } finally {
    await theirs.context.close();
  }
  await page.getByRole("button", { name: "Stop requiring two-factor sign-in" }).click();
  await page.getByTestId("two-factor-requirement-dialog").getByRole("button", { name: "Stop requiring" }).click();
  await expect(page.getByTestId("two-factor-requirement")).toContainText("Not required.");
});

test("the operator's reset-owner: a one-time password that must be changed, the second factor cleared, a system event", async ({ page }) => {
  test.setTimeout(120_000);
  expect(ownerSecret, "the owner set up two-factor in the test before").toBeTruthy();
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/reset-owner.ts", "--email", owner.email], {
    env: { ...process.env, DATABASE_URL: E2E_DATABASE_URL ?? "", BOTDESK_DATA_DIR: E2E_DATA_DIR },
    timeout: 90_000,
  });
  const oneTime = /One-time password: (\S+)/.exec(stdout)?.[1];
  expect(oneTime, stdout).toMatch(/^[A-Za-z0-9]{20}$/);
  expect(stdout).toContain("Their second factor was cleared");
  // The printed password signs in with no code asked, straight to choosing a new password.
  await passwordStep(page, { email: owner.email, password: oneTime! });
  await expect(page).toHaveURL(/\/choose-password$/);
  const chosen = `Owner-${tag}-new-passphrase`;
  await page.getByLabel("New password", { exact: true }).fill(chosen);
  await page.getByLabel("Repeat the new password").fill(chosen);
  await page.getByRole("button", { name: "Save and continue" }).click();
  await expect(page.getByTestId("seat-summary")).toBeVisible();
  const [event] = await sql<{ source: string; data: unknown }>`SELECT source, data FROM events WHERE subject_id = ${owner.id} AND type = 'person.operator_reset'`;
  expect(event).toEqual({ source: "system", data: { passwordReset: true, twoFactorCleared: true, sessionsEnded: true, mustChangePassword: true } });
  expect(JSON.stringify(event)).not.toContain(oneTime!);
});
