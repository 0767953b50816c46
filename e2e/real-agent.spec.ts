import ngrok from "@ngrok/ngrok";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { issueSecret } from "../lib/domain/credentials/token-format";
import { newId } from "../lib/ids";
import { E2E_AGENT_PORT, E2E_INGRESS_PORT } from "./support/constants";
import { sql } from "./support/db";
import { ADMIN, signIn } from "./support/session";
import { acmeId, botIdByName, insertBots, retireBots, stamp } from "./support/users";

// The newcomer's path, as docs/agents.md tells it: make a bot and an authtoken in the dashboard, run
// ngrok's own agent SDK (@ngrok/ngrok) with them against the production server, open the URL it prints
// in the browser (Chromium resolves *.localhost to this machine), watch the session and its traffic on
// the bot's page, then deactivate the bot and see the tunnel cut.

test("a bot's authtoken in @ngrok/ngrok puts a local service online through the ingress; the bot's page shows it; deactivating cuts it", async ({ page, request }) => {
  test.setTimeout(120_000);
  const local = http.createServer((req, res) => res.end(`hello from the bot's service: ${req.method} ${req.url}`));
  await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
  const name = `e2e-agent-${stamp()}`;
  let session: ngrok.Session | undefined;
  try {
    await signIn(page, ADMIN);
    await page.goto("/users");
    await page.getByRole("button", { name: "Create bot" }).click();
    const createBot = page.getByTestId("create-bot-dialog");
    await createBot.getByLabel("Name").fill(name);
    await createBot.getByRole("button", { name: "Create bot" }).click();
    await expect(page).toHaveURL(/\/users\/bots\/bot_\w+\?created=1$/);
    const botId = await botIdByName(name);

    await page.getByRole("button", { name: "Create its first credential" }).click();
    const create = page.getByTestId("create-credential-dialog");
    await create.getByLabel("Kind").selectOption("authtoken");
    await create.getByLabel("Description").fill("web service");
    await create.getByRole("button", { name: "Create credential" }).click();
    const secret = page.getByTestId("secret-once-dialog");
    const authtoken = await secret.getByTestId("secret-value").inputValue();
    expect(authtoken).toMatch(/^bdat_/);
    await secret.getByRole("button", { name: "I've stored it" }).click();

    // The CA agents trust, public at /agent-ca.pem (the bot's page links it).
    const ca = await (await request.get("/agent-ca.pem")).text();
    expect(ca).toContain("BEGIN CERTIFICATE");
    // docs/agents.md's session-builder form (ngrok.forward is the same in one call; a session can be closed for good).
    session = await new ngrok.SessionBuilder().authtoken(authtoken).serverAddr(`localhost:${E2E_AGENT_PORT}`).caCert(Buffer.from(ca)).connect();
    const listener = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${(local.address() as AddressInfo).port}`);
    const url = listener.url()!;
    expect(url).toMatch(new RegExp(`^http://[0-9a-f]{12}\\.tunnel\\.localhost:${E2E_INGRESS_PORT}$`));

    await page.goto(`${url}/first-visit`);
    await expect(page.locator("body")).toHaveText("hello from the bot's service: GET /first-visit");

    // The bot's page: the session online, with what it carried (written in batches at most 10 s apart).
    await page.goto(`/users/bots/${botId}`);
    const row = page.getByTestId("session-row").first();
    await expect(row).toContainText("Online");
    await expect(row).toContainText("ngrok/v2");
    await expect(row).toContainText(new URL(url).hostname);
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("session-row").first()).toContainText(/[1-9]\d* requests?/, { timeout: 1000 });
    }).toPass({ timeout: 30_000 });

    // Deactivating the bot cuts the tunnel at once: the ingress answers ngrok's "endpoint offline".
    await page.getByRole("button", { name: "Deactivate" }).click();
    await page.getByTestId("set-bots-active-dialog").getByRole("button", { name: "Deactivate" }).click();
    await expect(page.getByTestId("bot-status")).toHaveText("Deactivated");
    const ask = () => request.get(`http://127.0.0.1:${E2E_INGRESS_PORT}/after`, { headers: { Host: new URL(url).host } });
    await expect.poll(async () => (await ask()).status(), { timeout: 2_000, message: "offline within a second or two" }).toBe(404);
    expect(await (await ask()).text()).toContain("ERR_NGROK_3200");
    await page.reload();
    await expect(page.getByTestId("session-row").first()).toContainText("Ended");
  } finally {
    // Closed, the SDK stops reconnecting (after the deactivation each try is refused).
    await session?.close().catch(() => {});
    local.close();
  }
});

test("the bot's Sessions panel shows what @ngrok/ngrok said about itself, its labeled endpoint (recorded, not routed) and the one it closed, also on a phone", async ({ page, request }) => {
  test.setTimeout(60_000);
  const prefix = `e2e-labeled-${stamp()}`;
  const [bot] = await insertBots([prefix]);
  const id = newId("authtoken");
  const { token, hash, hint } = issueSecret("authtoken", id);
  // Random names under the tunnel domain, labels with the key "edge" or the value "eu" (as an admin with psql would set the ACL).
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, acl, secret_hash, secret_hint)
    VALUES (${id}, ${await acmeId()}, 'authtoken', ${bot!.id}, 'e2e labeled agent', ${"{bind:*.tunnel.localhost,bind:edge=*,bind:*=eu}"}::text[], ${hash}, ${hint})`;
  const ca = await (await request.get("/agent-ca.pem")).text();
  const metadata = "e2e labeled worker, rack 7";
  const session = await new ngrok.SessionBuilder().authtoken(token).serverAddr(`localhost:${E2E_AGENT_PORT}`).caCert(Buffer.from(ca)).metadata(metadata).connect();
  try {
    const closed = await session.httpEndpoint().listen();
    const closedUrl = closed.url()!;
    await closed.close();
    // A long label (up to 128 characters each side) must still fit a phone's width.
    const edge = `edghts_${"2Zq9".repeat(30)}`;
    const labeled = await session.labeledListener().label("edge", edge).label("edge_region", "eu").listen();
    expect(labeled.labels()).toEqual({ edge, edge_region: "eu" });
    // Outside the label ACL: ngrok's code for labels.
    await expect(session.labeledListener().label("team", "web").listen()).rejects.toThrow(/ERR_NGROK_399/);

    await signIn(page, ADMIN);
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.goto(`/users/bots/${bot!.id}`);
      const row = page.getByTestId("session-row").first();
      await expect(row).toContainText("Online");
      await expect(row.getByTestId("session-user-agent")).toHaveText(/^ngrok-javascript\/1\.7\.0 ngrok-rust\/\d+\.\d+\.\d+$/);
      await expect(row.getByTestId("session-metadata")).toHaveText(metadata);
      // @ngrok/ngrok says no hostname: none is shown.
      await expect(row.getByTestId("session-hostname")).toHaveCount(0);
      const endpoints = row.getByTestId("session-endpoint");
      await expect(endpoints.filter({ hasText: closedUrl })).toContainText("Closed");
      const labeledRow = endpoints.filter({ hasText: "Labeled (recorded, not routed)" });
      await expect(labeledRow).toContainText(`edge=${edge}`);
      await expect(labeledRow).toContainText("edge_region=eu");
      await expect(labeledRow).not.toContainText("Closed");
      await expect(row).not.toContainText("team=web");
      // Readable at this width: nothing of the row is cut off or scrolls sideways.
      const box = (await row.boundingBox())!;
      expect(box.x + box.width, `the session row fits ${width} px`).toBeLessThanOrEqual(width);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `no sideways scroll at ${width} px`).toBeLessThanOrEqual(width);
    }
  } finally {
    await session.close().catch(() => {});
    await retireBots(prefix);
  }
});
