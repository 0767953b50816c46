import { expect, test } from "@playwright/test";
import { issueSecret } from "../lib/domain/credentials/token-format";
import { newId } from "../lib/ids";
import { E2E_PORT } from "./support/constants";
import { sql } from "./support/db";
import { ADMIN, signIn } from "./support/session";
import { acmeId, insertBots, retireBots, stamp } from "./support/users";

// A bot's page shows its agents live: an agent with the bot's authtoken starts a
// session and binds an endpoint; the admin sees it online; deactivating the bot in
// the dashboard refuses the agent's next heartbeat and ends the session.

const AGENT = `http://localhost:${E2E_PORT}/agent/v1`;

test("a bot's page shows its agent's session; deactivating the bot ends it at the next heartbeat", async ({ page }) => {
  const prefix = `e2e-agent-${stamp()}`;
  const [bot] = await insertBots([prefix]);
  const id = newId("authtoken");
  const { token, hash, hint } = issueSecret("authtoken", id);
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, acl, secret_hash, secret_hint)
    VALUES (${id}, ${await acmeId()}, 'authtoken', ${bot!.id}, 'e2e agent', ${"{bind:*.agents.example.com}"}::text[], ${hash}, ${hint})`;
  // Agents bind only names their account reserved (as an admin with psql would reserve it).
  await sql`INSERT INTO reserved_domains (id, account_id, domain, zone_key) VALUES (${newId("reservedDomain")}, ${await acmeId()}, '*.agents.example.com', 'com.example.agents.')
    ON CONFLICT (domain) DO NOTHING`;
  const agent = (path: string, body?: unknown, method = "POST") =>
    fetch(`${AGENT}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const started = await agent("/sessions", { agent_version: "3.18.4", os: "linux", arch: "amd64", metadata: "e2e worker" });
  expect(started.status).toBe(201);
  const session = (await started.json()) as { id: string };
  expect((await agent(`/sessions/${session.id}/endpoints`, { url: "https://billing.agents.example.com" })).status).toBe(201);
  // Outside the authtoken's ACL: refused, nothing bound.
  const refused = await agent(`/sessions/${session.id}/endpoints`, { url: "https://elsewhere.example.org" });
  expect(refused.status).toBe(403);
  expect(await refused.json()).toMatchObject({ error_code: "ERR_NGROK_308" });
  expect((await agent(`/sessions/${session.id}/traffic`, { bytes_in: 2048, bytes_out: 512, requests: 3 })).status).toBe(200);

  await signIn(page, ADMIN);
  await page.goto(`/users/bots/${bot!.id}`);
  const panel = page.getByTestId("sessions-panel");
  await expect(panel.getByTestId("sessions-online")).toHaveText("1 session online now");
  const row = panel.getByTestId("session-row");
  await expect(row).toContainText("Online");
  await expect(row).toContainText("agent 3.18.4 · linux/amd64");
  await expect(row).toContainText("https://billing.agents.example.com");
  await expect(row).not.toContainText("elsewhere.example.org");
  await expect(row).toContainText("2.0 KB in · 512 B out · 3 requests");

  await page.getByRole("button", { name: "Deactivate" }).click();
  await page.getByTestId("set-bots-active-dialog").getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByTestId("bot-status")).toHaveText("Deactivated");

  const heartbeat = await agent(`/sessions/${session.id}/heartbeat`);
  expect(heartbeat.status).toBe(403);
  expect(await heartbeat.json()).toMatchObject({ error_code: "ERR_NGROK_636" });
  await page.reload();
  await expect(panel.getByTestId("sessions-online")).toHaveText("No agent online");
  await expect(row).toContainText("Ended · bot deactivated");
  await retireBots(prefix);
});
