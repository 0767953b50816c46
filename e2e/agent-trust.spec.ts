import { X509Certificate } from "node:crypto";
import { expect, test } from "@playwright/test";
import { sql } from "./support/db";
import { MEMBER, signIn } from "./support/session";
import { botIdByName } from "./support/users";

// The agent listener's CA is made when the server starts (the e2e server runs the listeners).
const storedCa = async () => (await sql<{ public_part: string }>`SELECT public_part FROM server_keys WHERE name = 'agent-ca'`)[0]!.public_part;

test("GET /agent-ca.pem serves the CA agents trust to anyone, as a PEM file cacheable for five minutes", async ({ request }) => {
  const res = await request.get("/agent-ca.pem", { headers: {} });
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toBe("application/x-pem-file");
  expect(res.headers()["cache-control"]).toBe("public, max-age=300");
  const pem = await res.text();
  expect(pem).toBe(await storedCa());
  const ca = new X509Certificate(pem);
  expect(ca.ca).toBe(true);
  expect(ca.subject).toMatch(/CN=Botdesk agent CA [0-9a-f]{8}/);
});

test("a bot's page shows the CA agents trust, with the @ngrok/ngrok line and a copy button, readable at 390 px", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  // Members see it too: it is public.
  await signIn(page, MEMBER);
  await page.goto(`/users/bots/${await botIdByName("billing-sync")}`);
  const panel = page.getByTestId("agent-trust-panel");
  await expect(panel.getByRole("heading", { name: "Connecting agents" })).toBeVisible();
  await expect(panel).toContainText("Agents trust this CA");
  await expect(panel.getByTestId("agent-trust-example")).toContainText('session_ca_cert: fs.readFileSync("botdesk-agent-ca.pem", "utf8")');
  await expect(panel.getByTestId("agent-ca-pem")).toBeHidden();
  await panel.getByText("Show the CA").click();
  const pem = await storedCa();
  await expect(panel.getByTestId("agent-ca-pem")).toHaveText(pem.trim());

  await panel.getByRole("button", { name: "Copy CA" }).click();
  await expect(panel.getByRole("button", { name: "Copied" })).toBeVisible();
  await expect(panel).toContainText("Copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(pem);
  await expect(panel.getByRole("button", { name: "Copy CA" })).toBeVisible({ timeout: 5_000 });

  // Keyboard: the button is reachable and works with Enter.
  await panel.getByRole("button", { name: "Copy CA" }).focus();
  await page.keyboard.press("Enter");
  await expect(panel.getByRole("button", { name: "Copied" })).toBeVisible();

  await panel.screenshot({ path: "test-results/agent-trust-1280.png" });
  await page.setViewportSize({ width: 390, height: 844 });
  await panel.scrollIntoViewIfNeeded();
  const box = (await panel.boundingBox())!;
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await panel.screenshot({ path: "test-results/agent-trust-390.png" });
});
