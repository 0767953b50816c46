import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { E2E_DESTINATION_HOST } from "./support/constants";
import { ADMIN, signIn } from "./support/session";
import { botIdByName, insertBots, stamp } from "./support/users";

// Issue 21's "Done when", in a browser against the production server: an admin adds a webhook in
// Settings → Event streams, subscribes it to bot events, deactivates a bot, and the receiver gets the
// signed event within seconds (verified with the Standard Webhooks library, as a receiver would).
// The receiver listens on 127.77.0.1, the range the e2e server allows (BOTDESK_DESTINATION_ALLOW).

interface Received {
  type: string;
  /** The event as the REST API's /events answers it: who acted, on what. */
  object: { type?: string; subject?: { kind: string; name: string }; principal?: { name: string } };
  /** The `webhook-id` header: the same for a message sent again. */
  id: string;
}

test("a webhook added in Settings receives a bot's deactivation, signed, within seconds", async ({ page }) => {
  test.setTimeout(90_000);
  let secret = "";
  const received: Received[] = [];
  const refused: string[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      try {
        const verified = new Webhook(secret).verify(body, req.headers as Record<string, string>) as { event_type: string; object: Received["object"] };
        received.push({ type: verified.event_type, object: verified.object, id: String(req.headers["webhook-id"]) });
        res.writeHead(204).end();
      } catch (error) {
        refused.push(String(error));
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, E2E_DESTINATION_HOST, resolve));
  const url = `http://${E2E_DESTINATION_HOST}:${(receiver.address() as AddressInfo).port}/botdesk`;
  const name = `e2e-streams-${stamp()}`;
  await insertBots([name]);
  try {
    await signIn(page, ADMIN);
    await page.goto("/settings/event-streams");
    const add = page.getByTestId("add-destination-form");
    await add.getByLabel("URL").fill(url);
    await add.getByLabel("Description (optional)").fill(`audit ${name}`);
    await add.getByRole("button", { name: "Add destination" }).click();
    secret = await page.getByTestId("webhook-secret").getByTestId("secret-value").inputValue();
    expect(secret).toMatch(/^whsec_/);

    const subscribe = page.getByTestId("add-subscription-form");
    await subscribe.getByLabel("Destination", { exact: true }).selectOption({ label: url });
    await subscribe.locator('input[type="checkbox"][value="bot_user_deactivated.v0"]').check();
    await subscribe.getByRole("button", { name: "Add subscription" }).click();
    await expect(page.getByTestId("subscriptions-list")).toContainText("bot_user_deactivated.v0");

    await page.goto(`/users/bots/${await botIdByName(name)}`);
    await page.getByRole("button", { name: "Deactivate" }).click();
    await page.getByTestId("set-bots-active-dialog").getByRole("button", { name: "Deactivate" }).click();
    await expect(page.getByTestId("bot-status")).toHaveText("Deactivated");

    await expect.poll(() => received.filter((r) => r.type === "bot_user_deactivated.v0" && r.object.subject?.name === name).length, { timeout: 15_000 }).toBe(1);
    expect(refused).toEqual([]);
    const event = received.find((r) => r.object.subject?.name === name)!;
    expect(event.object).toMatchObject({ type: "bot.deactivated", subject: { kind: "bot", name }, principal: { name: ADMIN.name } });

    // The destination's delivery log says it was sent; removing it (confirmed) stops everything to it.
    await page.goto("/settings/event-streams");
    const destination = page.getByTestId("destinations-list").locator("li").filter({ hasText: url });
    await expect(destination.getByTestId("delivery-log")).toContainText("bot_user_deactivated.v0");

    // Everything since a time, chosen in the viewer's own clock, is sent again with the same webhook-id.
    await destination.getByText(/^Delivery log/).click();
    const since = destination.getByTestId("redeliver-since-form");
    await since.getByRole("button", { name: "Send again" }).click();
    await expect(since.getByRole("alert")).toHaveText("Enter a date and time.");
    const tenMinutesAgo = await page.evaluate(() => {
      const d = new Date(Date.now() - 10 * 60_000);
      const p = (n: number) => String(n).padStart(2, "0");
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    });
    await since.getByLabel("Send again everything since").fill(tenMinutesAgo);
    await since.getByRole("button", { name: "Send again" }).click();
    await expect(page.getByText("1 message queued again.")).toBeVisible();
    await expect.poll(() => received.filter((r) => r.object.subject?.name === name).length, { timeout: 15_000 }).toBe(2);
    const [first, again] = received.filter((r) => r.object.subject?.name === name);
    expect(again!.id).toBe(first!.id);
    await destination.getByRole("button", { name: `Remove ${url}` }).click();
    await page.getByTestId("delete-destination-dialog").getByRole("button", { name: "Remove destination" }).click();
    await expect(page.getByTestId("destinations-list").locator("li").filter({ hasText: url })).toHaveCount(0);
  } finally {
    receiver.close();
  }
});
