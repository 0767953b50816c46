import { expect, test, type Page } from "@playwright/test";
import { sql } from "./support/db";
import { ADMIN, MEMBER, signIn } from "./support/session";
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

  // An authtoken and a rotation's new secret use the same dialog: a click outside and Esc keep them too.
  await page.getByTestId("credentials-panel").getByRole("button", { name: "Create credential" }).first().click();
  await create.getByLabel("Kind").selectOption("authtoken");
  await create.getByLabel("Description").fill(`show-once-token ${stamp()}`);
  await create.getByRole("button", { name: "Create credential" }).click();
  const authtoken = await dialog.getByTestId("secret-value").inputValue();
  expect(authtoken).toMatch(/^bdat_/);
  await clickBackdrop(page);
  await page.keyboard.press("Escape");
  await expect(dialog.getByTestId("secret-value")).toHaveValue(authtoken);
  await dialog.getByRole("button", { name: "Keep it open" }).click();
  await dialog.getByRole("button", { name: "I've stored it" }).click();

  await page.getByRole("button", { name: `Rotate bdat_…${authtoken.slice(-4)}` }).click();
  await page.getByTestId("rotate-credential-dialog").getByRole("button", { name: "Rotate" }).click();
  await expect(dialog.getByTestId("rotation-note")).toBeVisible();
  const rotated = await dialog.getByTestId("secret-value").inputValue();
  expect(rotated).toMatch(/^bdat_/);
  expect(rotated).not.toBe(authtoken);
  await clickBackdrop(page);
  await expect(dialog.getByTestId("dismiss-question")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId("secret-value")).toHaveValue(rotated);
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

/** An agent session row as the tunnel server writes it: live (fresh heartbeat), stale (silent past the timeout) or ended. */
async function insertSession(account: string, principalId: string, credentialId: string, state: "live" | "stale" | "ended") {
  await sql`INSERT INTO tunnel_sessions (id, account_id, principal_id, credential_id, credential_display, transport, agent_version, os, arch, last_heartbeat_at, ended_at, end_reason)
    VALUES (${`ts_${hex(11)}`}, ${account}, ${principalId}, ${credentialId}, 'cr_…', 'ngrok/v2', '3.18.4', 'linux', 'amd64',
            CASE WHEN ${state}::text = 'stale' THEN now() - interval '5 minutes' ELSE now() END,
            CASE WHEN ${state}::text = 'ended' THEN now() END, CASE WHEN ${state}::text = 'ended' THEN 'agent_closed' END)`;
}

test("deactivating a bot, several bots or a person asks first and says how many credentials stop working and how many live agent sessions end", async ({ page }) => {
  const tag = stamp();
  const name = `e2e-ui-deact-${tag}`;
  const [bot, quiet] = await insertBots([name, `${name}-quiet`]);
  const account = await acmeId();
  const token = `cr_${hex(11)}`;
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
    VALUES (${token}, ${account}, 'authtoken', ${bot!.id}, 'one', 'not-a-real-hash', 'x7Qa'),
           (${`ak_${hex(11)}`}, ${account}, 'api_key', ${bot!.id}, 'two', 'not-a-real-hash', 'k9Zb')`;
  // Two live sessions count; a stale one (the sweep ends it anyway) and an ended one do not.
  await insertSession(account, bot!.id, token, "live");
  await insertSession(account, bot!.id, token, "live");
  await insertSession(account, bot!.id, token, "stale");
  await insertSession(account, bot!.id, token, "ended");
  const person = { id: `usr_${hex(11)}`, email: `deact-${tag}@example.com`, name: `Deact Person ${tag}` };
  await sql`INSERT INTO principals (id, kind, name, email, password_hash) VALUES (${person.id}, 'person', ${person.name}, ${person.email}, 'x')`;
  await sql`INSERT INTO memberships (account_id, principal_id, role) VALUES (${account}, ${person.id}, 'member')`;
  const personToken = `cr_${hex(11)}`;
  // Working: one authtoken. Not working already: a revoked key and an expired one.
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint, revoked_at, expires_at)
    VALUES (${personToken}, ${account}, 'authtoken', ${person.id}, 'mine', 'not-a-real-hash', 'p1Qa', NULL, NULL),
           (${`ak_${hex(11)}`}, ${account}, 'api_key', ${person.id}, 'revoked', 'not-a-real-hash', 'p2Qa', now(), NULL),
           (${`ak_${hex(11)}`}, ${account}, 'api_key', ${person.id}, 'expired', 'not-a-real-hash', 'p3Qa', NULL, now() - interval '1 day')`;
  await insertSession(account, person.id, personToken, "live");
  try {
    await signIn(page, ADMIN);
    await page.goto(`/users?bq=${name}&pq=${tag}`);
    await page.getByRole("button", { name: `Deactivate ${name}`, exact: true }).click();
    // Only the open dialog has the role (every row keeps its own closed one).
    const dialog = page.getByRole("dialog", { name: `Deactivate ${name}?` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId("set-bots-active-effect")).toContainText("2 credentials stop working");
    await expect(dialog.getByTestId("set-bots-active-sessions")).toHaveText("2 live agent sessions end at their next heartbeat (within 30 seconds).");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(botRow(page, name)).toContainText("Active");

    // Bulk: both bots, the quiet one adding nothing.
    await botRow(page, name).getByRole("checkbox").check();
    await botRow(page, quiet!.name).getByRole("checkbox").check();
    await page.getByTestId("bots-bulk-bar").getByRole("button", { name: "Deactivate" }).click();
    const bulk = page.getByRole("dialog", { name: "Deactivate 2 bots?" });
    await expect(bulk.getByTestId("set-bots-active-effect")).toContainText("2 credentials stop working");
    await expect(bulk.getByTestId("set-bots-active-sessions")).toHaveText("2 live agent sessions end at their next heartbeat (within 30 seconds).");
    await bulk.getByRole("button", { name: "Cancel" }).click();
    await page.getByTestId("bots-bulk-bar").getByRole("button", { name: /Clear/ }).click();

    await page.getByRole("button", { name: `Deactivate ${quiet!.name}` }).click();
    const one = page.getByRole("dialog", { name: `Deactivate ${quiet!.name}?` });
    await expect(one.getByTestId("set-bots-active-effect")).toContainText("no working credentials");
    await expect(one.getByTestId("set-bots-active-sessions")).toHaveText("No agent session is live, so none ends.");
    await one.getByRole("button", { name: "Cancel" }).click();

    await page.getByRole("button", { name: `Deactivate ${person.name}` }).click();
    const personDialog = page.getByTestId("deactivate-person-dialog").and(page.getByRole("dialog"));
    await expect(personDialog.getByTestId("deactivate-person-effect")).toHaveText("1 credential they own here stops working at once, until you reactivate them.");
    await expect(personDialog.getByTestId("deactivate-person-sessions")).toHaveText("1 live agent session ends at its next heartbeat (within 30 seconds).");
    await page.screenshot({ path: "test-results/deactivate-person-1280.png" });
    await personDialog.getByRole("button", { name: "Cancel" }).click();

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("button", { name: `Deactivate ${name}`, exact: true }).click();
    await expect(dialog.getByTestId("set-bots-active-sessions")).toContainText("2 live agent sessions");
    await page.screenshot({ path: "test-results/deactivate-bot-390.png" });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await page.setViewportSize({ width: 1280, height: 720 });

    await page.getByRole("button", { name: `Deactivate ${name}`, exact: true }).click();
    await dialog.getByRole("button", { name: "Deactivate" }).click();
    await expect(toast(page, `Deactivated ${name}.`)).toBeVisible();
    await expect(botRow(page, name)).toContainText("Deactivated");
  } finally {
    await sql`DELETE FROM tunnel_sessions WHERE principal_id IN (${bot!.id}, ${person.id})`;
    await sql`DELETE FROM memberships WHERE principal_id = ${person.id}`;
    await retireBots(name);
  }
});

/** The page never scrolls sideways: nothing is wider than the viewport. */
async function expectNoSidewaysScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

/** The element is fully inside the viewport, horizontally. */
async function expectInViewport(page: Page, locator: ReturnType<Page["locator"]>) {
  const box = (await locator.boundingBox())!;
  const width = page.viewportSize()!.width;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(width + 0.5);
}

/** The element's box lies inside the box of its table's scroll region: not hidden behind a sideways scroll. */
async function expectInsideRegion(locator: ReturnType<Page["locator"]>) {
  const inside = await locator.evaluate((el) => {
    const region = el.closest("[role=region]") ?? document.documentElement;
    const a = el.getBoundingClientRect();
    const b = region.getBoundingClientRect();
    return a.left >= b.left - 0.5 && a.right <= b.right + 0.5;
  });
  expect(inside, "inside its table's visible box").toBe(true);
}

/** The override inside the name stops at its end: the line's later parts still come after the name, left to right. */
async function expectLineInOrder(line: ReturnType<Page["locator"]>) {
  const kind = (await line.getByTestId("event-actor-kind").boundingBox())!;
  const source = (await line.getByTestId("event-source").boundingBox())!;
  // Same line (the name is short), and the kind badge left of the source.
  expect(kind.x).toBeLessThan(source.x);
}

test("a 255-character name and a right-to-left override leave the layout and the neighbouring text intact", async ({ page }) => {
  test.setTimeout(90_000);
  const tag = stamp();
  const long = `${`long${tag}`.padEnd(255, "x")}`;
  const spoof = `rlo-${tag}\u202Etxt.exe`;
  const bots = await insertBots([long, spoof]);
  const account = await acmeId();
  for (const b of bots) {
    await sql`INSERT INTO events (id, account_id, type, principal_id, source) VALUES (${`ev_${hex(11)}`}, ${account}, 'agent.session_started', ${b.id}, 'agent')`;
  }
  // Credentials whose descriptions carry the same override and length, the oldest never used (so the Overview lists them first).
  const spoofDescription = `desc-${tag}\u202Eabc`;
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint, created_at)
    VALUES (${`cr_${hex(11)}`}, ${account}, 'authtoken', ${bots[1]!.id}, ${spoofDescription}, 'not-a-real-hash', 'r1Qa', '2001-01-01'),
           (${`cr_${hex(11)}`}, ${account}, 'authtoken', ${bots[0]!.id}, ${`d${tag}`.padEnd(255, "y")}, 'not-a-real-hash', 'l1Qa', '2001-01-02')`;
  try {
    await signIn(page, ADMIN);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto("/");
      await expect(page.getByTestId("recent-activity")).toContainText(long);
      await expectNoSidewaysScroll(page);
      await expectLineInOrder(page.getByTestId("recent-activity").locator("li").filter({ hasText: spoof }));
      // "description · owner": the description's override does not carry into its owner's name.
      const item = page.getByTestId("insight-never-used").locator("li").filter({ hasText: spoofDescription });
      const [description, owner] = await item.locator("bdi").all();
      expect(await description!.textContent()).toBe(spoofDescription);
      expect(await owner!.textContent()).toBe(spoof);
      // The owner's name starts after the description ends: to its right on the same line, or on a later line
      // (the line boxes of each inline name, as laid out; a name may wrap).
      const lastOf = await description!.evaluate((el) => { const r = [...el.getClientRects()].at(-1)!; return { x: r.right, y: r.top, bottom: r.bottom }; });
      const firstOf = await owner!.evaluate((el) => { const r = el.getClientRects()[0]!; return { x: r.left, y: r.top }; });
      expect(firstOf.y >= lastOf.bottom - 1 || (Math.abs(firstOf.y - lastOf.y) < 2 && firstOf.x >= lastOf.x - 1), JSON.stringify({ lastOf, firstOf })).toBe(true);

      await page.goto(`/activity?principal=${bots[1]!.id}`);
      await expectNoSidewaysScroll(page);
      await expectLineInOrder(page.getByTestId("event-row").filter({ hasText: spoof }).first());

      await page.goto(`/users?bq=${tag}`);
      await expectNoSidewaysScroll(page);
      for (const name of [long, spoof]) {
        const row = botRow(page, name);
        await expectInViewport(page, row.getByRole("link", { name }));
        await expectInViewport(page, row.getByRole("button", { name: `Delete ${name}` }));
        await expectInsideRegion(row.getByRole("button", { name: `Delete ${name}` }));
      }
      // The long name is cut on the page and whole on hover.
      await expect(botRow(page, long).getByRole("link").locator("bdi")).toHaveAttribute("title", long);

      // A dialog and a toast naming the long bot stay inside the window.
      await page.getByRole("button", { name: `Deactivate ${long}` }).click();
      const dialog = page.getByTestId("set-bots-active-dialog").and(page.getByRole("dialog"));
      await expect(dialog).toBeVisible();
      expect(await dialog.evaluate((d) => d.scrollWidth <= d.clientWidth)).toBe(true);
      await expect(dialog.getByRole("button", { name: "Deactivate" })).toBeInViewport({ ratio: 1 });
      await dialog.getByRole("button", { name: "Deactivate" }).click();
      const done = toast(page, "Deactivated");
      await expect(done).toBeVisible();
      const box = (await done.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
      await expect(done.getByRole("button", { name: "Dismiss notification" })).toBeInViewport({ ratio: 1 });
      await expectNoSidewaysScroll(page);
      await done.getByRole("button", { name: "Dismiss notification" }).click();
      await page.getByRole("button", { name: `Reactivate ${long}` }).click();
      await expect(toast(page, "Reactivated")).toBeVisible();

      await page.goto(`/credentials?owner=${encodeURIComponent(tag)}`);
      await expectNoSidewaysScroll(page);
      for (const b of bots) {
        const row = page.locator("tbody tr").filter({ has: page.getByRole("link", { name: b.name, exact: true }) });
        await expect(row).toHaveCount(1);
        await expectInViewport(page, row.locator("[data-status]"));
        await expectInViewport(page, row.getByRole("button", { name: /^Revoke / }));
        await expectInsideRegion(row.getByRole("button", { name: /^Revoke / }));
      }
      // A long description is cut to two lines, whole on hover.
      await expect(page.getByTestId("credential-description").filter({ hasText: `d${tag}` })).toHaveAttribute("title", `d${tag}`.padEnd(255, "y"));

      await page.goto(`/users/bots/${bots[0]!.id}`);
      await expectNoSidewaysScroll(page);
    }
  } finally {
    await sql`DELETE FROM credentials WHERE owner_id IN (${bots[0]!.id}, ${bots[1]!.id})`;
    await retireBots(`long${tag}`);
    await retireBots(`rlo-${tag}`);
  }
});

test("at 1280 px no table hides a row's actions behind a sideways scroll, with long names and emails and busy rows", async ({ page }) => {
  const tag = stamp();
  const person = { id: `usr_${hex(11)}`, email: `a-rather-long-address-${tag}@subdomain.example-company.com`, name: `Wide ${tag}`.padEnd(240, "w") };
  await sql`INSERT INTO principals (id, kind, name, email, password_hash) VALUES (${person.id}, 'person', ${person.name}, ${person.email}, 'x')`;
  await sql`INSERT INTO memberships (account_id, principal_id, role) VALUES (${await acmeId()}, ${person.id}, 'member')`;
  try {
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, ADMIN);
    // The whole lists (the seeded bots have usage and recent activity, the widest facts).
    await page.goto("/users");
    for (const id of ["people-table", "bots-table"]) {
      const region = page.getByTestId(`${id}-region`);
      expect(await region.evaluate((el) => el.scrollWidth <= el.clientWidth), `${id} scrolls sideways`).toBe(true);
      for (const button of await page.getByTestId(id).locator("tbody").getByRole("button", { name: /^(Remove|Delete) / }).all()) {
        await expectInsideRegion(button);
      }
    }
    await expectInsideRegion(page.getByRole("button", { name: `Remove ${person.name}` }));
    await page.goto("/credentials");
    expect(await page.getByTestId("credentials-table-region").evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  } finally {
    await sql`DELETE FROM memberships WHERE principal_id = ${person.id}`;
  }
});

test("at phone width every row shows its name and its actions together; /credentials shows owner and status", async ({ page }) => {
  const tag = stamp();
  const names = [`e2e-phone-${tag}-a`, `e2e-phone-${tag}-b`];
  const bots = await insertBots(names);
  const account = await acmeId();
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
    VALUES (${`cr_${hex(11)}`}, ${account}, 'authtoken', ${bots[0]!.id}, ${`phone ${tag}`}, 'not-a-real-hash', 'x7Qa')`;
  try {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, ADMIN);
    await expect(page.getByTestId("person-name")).toBeVisible();

    await page.goto(`/users?bq=e2e-phone-${tag}`);
    await expectNoSidewaysScroll(page);
    for (const name of names) {
      const row = botRow(page, name);
      for (const target of [row.getByRole("link", { name }), row.getByRole("button", { name: `Rename ${name}` }), row.getByRole("button", { name: `Deactivate ${name}` }), row.getByRole("button", { name: `Delete ${name}` })]) {
        await expect(target).toBeVisible();
        await expectInViewport(page, target);
      }
    }
    // Every person's card: the name with every control of the row (role, reset, deactivate, remove), none off screen.
    const people = page.getByTestId("people-table").locator("tbody tr");
    expect(await people.count()).toBeGreaterThan(1);
    for (const row of await people.all()) {
      await expectInViewport(page, row.locator("td").nth(0));
      await expect(row.locator("td").nth(0)).toBeVisible();
      const name = (await row.locator("td").nth(0).locator("bdi").textContent())!;
      if (name === ADMIN.name) continue; // yourself: no actions
      for (const target of [
        row.getByRole("combobox", { name: `Role of ${name}` }),
        row.getByRole("button", { name: `Reset password of ${name}` }),
        row.getByRole("button", { name: new RegExp(`^(Deactivate|Reactivate) `) }),
        row.getByRole("button", { name: `Remove ${name}` }),
      ]) {
        await expect(target).toBeVisible();
        await expectInViewport(page, target);
      }
    }

    await page.goto(`/credentials`);
    await expectNoSidewaysScroll(page);
    const row = page.locator("tbody tr", { hasText: `phone ${tag}` });
    await expectInViewport(page, row.getByRole("link", { name: names[0]! }));
    await expect(row.locator("[data-status]")).toHaveText("Active");
    await expectInViewport(page, row.locator("[data-status]"));
    await expectInViewport(page, row.getByRole("button", { name: /Rotate/ }).first());
    await expectInViewport(page, row.getByRole("button", { name: /Revoke/ }).first());
  } finally {
    await sql`DELETE FROM credentials WHERE owner_id = ${bots[0]!.id}`;
    await retireBots(`e2e-phone-${tag}`);
  }
});

test("after deleting a bot with the keyboard, focus is on the bots table, not lost on the page", async ({ page }) => {
  const name = `e2e-focus-${stamp()}`;
  await insertBots([name, `${name}-next`]);
  try {
    await signIn(page, ADMIN);
    await page.goto(`/users?bq=${name}`);
    await page.getByRole("button", { name: `Delete ${name}`, exact: true }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByTestId("delete-bots-dialog");
    // Type only once the dialog has put focus in its confirmation field (as a person sees it open);
    // keys typed before that land on the page (CI saw the name typed into nothing, the dialog open).
    await expect(dialog.getByRole("textbox")).toBeFocused();
    await page.keyboard.type(name);
    await page.keyboard.press("Enter");
    await expect(dialog).toBeHidden();
    await expect(botRow(page, name)).toHaveCount(0);
    await expect(page.getByTestId("bots-table-region")).toBeFocused();
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(false);
  } finally {
    await retireBots(name);
  }
});

test("words: 'Revoke API key …?' keeps its capitals; a member's bot page says why there are no controls", async ({ page, browser }) => {
  const name = `e2e-words-${stamp()}`;
  const [bot] = await insertBots([name]);
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
    VALUES (${`ak_${hex(11)}`}, ${await acmeId()}, 'api_key', ${bot!.id}, 'words', 'not-a-real-hash', 'k9Zb')`;
  try {
    await signIn(page, ADMIN);
    await page.goto(`/users/bots/${bot!.id}`);
    await expect(page.getByTestId("read-only-note")).toHaveCount(0);
    await page.getByTestId("credentials-panel").getByRole("button", { name: /^Revoke / }).first().click();
    await expect(page.getByRole("dialog", { name: /^Revoke API key bdak_…k9Zb\?$/ })).toBeVisible();

    const member = await browser.newContext();
    try {
      const memberPage = await member.newPage();
      await signIn(memberPage, MEMBER);
      await memberPage.goto(`/users/bots/${bot!.id}`);
      await expect(memberPage.getByTestId("read-only-note")).toContainText("Only owners and admins");
      await expect(memberPage.getByRole("button", { name: "Delete" })).toHaveCount(0);
    } finally {
      await member.close();
    }
  } finally {
    await sql`DELETE FROM credentials WHERE owner_id = ${bot!.id}`;
    await retireBots(name);
  }
});

test("the bulk action bar stays in view when a row low in a long list is selected", async ({ page }) => {
  const prefix = `e2e-bulkbar-${stamp()}`;
  await insertBots(Array.from({ length: 25 }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`));
  try {
    await signIn(page, ADMIN);
    await page.goto(`/users?bq=${prefix}&bsort=name&bdir=asc`);
    const last = page.getByRole("checkbox", { name: `Select ${prefix}-24` });
    await last.scrollIntoViewIfNeeded();
    await last.check();
    const bar = page.getByTestId("bots-bulk-bar");
    await expect(bar).toContainText("1 bot selected");
    await page.mouse.wheel(0, 200);
    const box = (await bar.boundingBox())!;
    const height = page.viewportSize()!.height;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y + box.height).toBeLessThanOrEqual(height);
    await expect(bar.getByRole("button", { name: "Delete" })).toBeVisible();
  } finally {
    await retireBots(prefix);
  }
});

/** The labels of the visible controls (outside the toasts) that a box overlaps. */
async function controlsUnder(page: Page, box: { x: number; y: number; width: number; height: number }, scope: string) {
  return page.evaluate(
    ({ b, scope }) => {
      const hits: string[] = [];
      for (const el of document.querySelectorAll<HTMLElement>(`${scope} :is(button, select, input, a, [role=button])`)) {
        if (el.closest("[data-testid=toast-region]")) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.left < b.x + b.width && r.right > b.x && r.top < b.y + b.height && r.bottom > b.y) hits.push(el.getAttribute("aria-label") ?? el.textContent?.trim() ?? el.tagName);
      }
      return hits;
    },
    { b: box, scope },
  );
}

test("a toast covers no row's buttons, at 1280 px (also scrolled) and at 390 px; × and Escape close it; it is announced politely", async ({ page }) => {
  test.setTimeout(60_000);
  const tag = stamp();
  const names = Array.from({ length: 14 }, (_, i) => `e2e-toast-${tag}-${String(i).padStart(2, "0")}`);
  await insertBots(names, { deactivated: () => true });
  const person = { id: `usr_${hex(11)}`, email: `toast-${tag}@example.com`, name: `Toast Person ${tag}` };
  await sql`INSERT INTO principals (id, kind, name, email, password_hash) VALUES (${person.id}, 'person', ${person.name}, ${person.email}, 'x')`;
  await sql`INSERT INTO memberships (account_id, principal_id, role) VALUES (${await acmeId()}, ${person.id}, 'member')`;
  try {
    await signIn(page, ADMIN);
    await expect(page.getByTestId("toast-region")).toHaveAttribute("aria-live", "polite");
    await page.goto(`/users?bq=e2e-toast-${tag}`);
    // The last row of a long list: the page scrolls to it, so the header is out of view.
    const last = names.at(-1)!;
    await page.getByRole("button", { name: `Reactivate ${last}` }).click();
    const first = toast(page, `Reactivated ${last}.`);
    await expect(first).toBeVisible();
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    await expect(first).toBeInViewport();
    expect(await controlsUnder(page, (await first.boundingBox())!, "tbody")).toEqual([]);
    await page.screenshot({ path: "test-results/toast-1280-scrolled.png" });
    await first.getByRole("button", { name: "Dismiss notification" }).click();
    await expect(first).toBeHidden();

    // At the top of the page it hangs below the header, over the page title: no control at all under it.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole("button", { name: `Reactivate ${names[0]}` }).click();
    const second = toast(page, `Reactivated ${names[0]}.`);
    await expect(second).toBeVisible();
    await page.evaluate(() => window.scrollTo(0, 0));
    const box = (await second.boundingBox())!;
    const header = (await page.locator("header").boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(header.y + header.height);
    expect(await controlsUnder(page, box, "body")).toEqual([]);
    await page.screenshot({ path: "test-results/toast-1280-top.png" });
    await page.keyboard.press("Escape");
    await expect(second).toBeHidden();

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/users?pq=${tag}&bq=e2e-toast-${tag}`);
    await page.getByRole("button", { name: `Deactivate ${person.name}` }).click();
    await page.getByTestId("deactivate-person-dialog").getByRole("button", { name: "Deactivate" }).click();
    const third = toast(page, `Deactivated ${person.name}.`);
    await expect(third).toBeVisible();
    await page.evaluate(() => window.scrollTo(0, 0));
    const phoneBox = (await third.boundingBox())!;
    expect(phoneBox.x).toBeGreaterThanOrEqual(0);
    expect(phoneBox.x + phoneBox.width).toBeLessThanOrEqual(390);
    expect(await controlsUnder(page, phoneBox, "body")).toEqual([]);
    await page.screenshot({ path: "test-results/toast-390-top.png" });
    await page.keyboard.press("Escape");
    await expect(third).toBeHidden();

    // Scrolled into the cards at 390 px, every floating spot (top and bottom) has buttons under it: the toast takes
    // its own place at the top of the flow and pushes the cards down, covering none of the controls on screen.
    const row = names[5]!;
    await page.evaluate((label) => {
      const button = document.querySelector<HTMLElement>(`[aria-label="${label}"]`)!;
      window.scrollBy(0, button.getBoundingClientRect().top - 16);
    }, `Reactivate ${row}`);
    expect(await controlsUnder(page, { x: 0, y: 8, width: 390, height: 70 }, "main")).not.toEqual([]);
    expect(await controlsUnder(page, { x: 0, y: 844 - 16 - 70, width: 390, height: 70 }, "main")).not.toEqual([]);
    const onScreen = await page.evaluate(() => {
      let n = 0;
      for (const el of document.querySelectorAll<HTMLElement>("main :is(button, select, input, a, [role=button])")) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.bottom <= 0 || r.top >= window.innerHeight) continue;
        el.dataset.onScreen = "1";
        n++;
      }
      return n;
    });
    expect(onScreen).toBeGreaterThan(3);
    await page.getByRole("button", { name: `Reactivate ${row}` }).click();
    const fourth = toast(page, `Reactivated ${row}.`);
    await expect(fourth).toBeVisible();
    await expect(page.getByTestId("toast-region")).toHaveAttribute("data-placement", "reserved");
    await expect(fourth).toBeInViewport({ ratio: 1 });
    const reservedBox = (await fourth.boundingBox())!;
    const coveredNow = await page.evaluate((b) => {
      const hits: string[] = [];
      for (const el of document.querySelectorAll<HTMLElement>("[data-on-screen]")) {
        const r = el.getBoundingClientRect();
        if (r.left < b.x + b.width && r.right > b.x && r.top < b.y + b.height && r.bottom > b.y) hits.push(el.getAttribute("aria-label") ?? el.textContent?.trim() ?? el.tagName);
      }
      return hits;
    }, reservedBox);
    expect(coveredNow, "controls that were on screen when the toast came, now under it").toEqual([]);
    await page.screenshot({ path: "test-results/toast-390-reserved.png" });
    await fourth.getByRole("button", { name: "Dismiss notification" }).click();
    await expect(fourth).toBeHidden();
    await expect(page.getByTestId("toast-region")).toHaveAttribute("data-placement", "floating");
  } finally {
    await sql`DELETE FROM memberships WHERE principal_id = ${person.id}`;
    await retireBots(`e2e-toast-${tag}`);
  }
});

test("words: an expired credential reads as done by the System; one seat summary on the Overview and /users; the sign-in page names what bots use; 'last used' shows the stored time and IP", async ({ page }) => {
  await page.goto("/sign-in");
  await expect(page.getByText("Bot users can't sign in here")).toHaveText(
    "Bot users can't sign in here: they use API keys with the REST API, and authtokens and SSH keys with agents.",
  );
  await signIn(page, ADMIN);
  // What Botdesk records by itself (a credential expired) reads as done by the system, not by the credential's owner.
  const [expiredFor] = await insertBots([`e2e-expired-${stamp()}`]);
  // A hint of this run's own: a repeat (or another test) adds its own expired line to the same recent activity.
  const hint = `bdat_…${hex(2)}`;
  await sql`INSERT INTO events (id, account_id, type, principal_id, source, subject_id, subject_name, subject_kind)
    VALUES (${`ev_${hex(11)}`}, ${await acmeId()}, 'credential.expired', ${expiredFor!.id}, 'system', ${`cr_${hex(11)}`}, ${`Authtoken ${hint}`}, 'credential')`;
  await page.reload();
  const expiredLine = page.getByTestId("recent-activity").locator("li").filter({ hasText: hint });
  await expect(expiredLine.getByTestId("event-label")).toHaveText("Credential expired");
  await expect(expiredLine.getByTestId("event-actor")).toHaveText("System");
  await expect(expiredLine).not.toContainText(expiredFor!.name);
  await retireBots(expiredFor!.name);
  await page.reload();
  const overview = (await page.getByTestId("seat-summary").textContent())!.trim();
  expect(overview).toMatch(/^\d+ of \d+ seats used · \d+ bots? \(bots don't use seats\)$/);
  await page.goto("/users");
  await expect(page.getByTestId("users-seat-summary")).toHaveText(overview);

  const tag = stamp();
  const [bot] = await insertBots([`e2e-used-${tag}`]);
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint, last_used_at, last_used_ip)
    VALUES (${`ak_${hex(11)}`}, ${await acmeId()}, 'api_key', ${bot!.id}, ${`used ${tag}`}, 'not-a-real-hash', 'x7Qa', '2026-11-27T09:41:30Z', '203.0.113.77')`;
  try {
    await page.goto("/credentials");
    const used = page.locator("tbody tr", { hasText: `used ${tag}` }).getByTestId("last-used");
    await expect(used).toContainText("Nov 27, 2026");
    await expect(used).toContainText("09:41 UTC");
    await expect(used).toContainText("203.0.113.77");
    await expect(used).toHaveAttribute("title", "Last use recorded Nov 27, 2026, 09:41 UTC from 203.0.113.77. Uses are recorded at most once a minute.");
  } finally {
    await sql`DELETE FROM credentials WHERE owner_id = ${bot!.id}`;
    await retireBots(`e2e-used-${tag}`);
  }
});

test("an unknown address says 'Page not found' and its scripts run (none refused by the Content-Security-Policy), signed out and in", async ({ page }) => {
  const refused: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/.test(m.text())) refused.push(m.text());
  });
  for (const signedIn of [false, true]) {
    if (signedIn) await signIn(page, ADMIN);
    const res = await page.goto("/no-such-page");
    expect(res!.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await page.waitForLoadState("networkidle");
  }
  expect(refused).toEqual([]);
  // The page is hydrated: its link navigates client-side to the Overview.
  await page.getByRole("link", { name: "Back to the overview" }).click();
  await expect(page.getByTestId("seat-summary")).toBeVisible();
});
