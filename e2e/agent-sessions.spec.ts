import ngrok from "@ngrok/ngrok";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { issueSecret } from "../lib/domain/credentials/token-format";
import { newId } from "../lib/ids";
import { E2E_AGENT_PORT, E2E_INGRESS_PORT } from "./support/constants";
import { sql } from "./support/db";
import { ADMIN, signIn } from "./support/session";
import { acmeId, insertBots, retireBots, stamp } from "./support/users";

// A bot's page shows its agents live: ngrok's own agent SDK (@ngrok/ngrok) with the bot's
// authtoken connects to the e2e server's agent listener and binds a name the account reserved
// (one outside the authtoken's ACL is refused); real requests go through the ingress; the admin
// sees the session online with its endpoint and what it carried; deactivating the bot in the
// dashboard ends the session.

/** The ERR_NGROK_<n> of a refused bind, as the SDK reports it. */
async function refusalCode(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    const message = (error as Error).message;
    return (error as { errorCode?: string }).errorCode ?? /ERR_NGROK_\d+/.exec(message)?.[0] ?? message;
  }
  throw new Error("expected the bind to be refused");
}

test("a bot's page shows its agent's session, endpoint and traffic; deactivating the bot ends it", async ({ page, request }) => {
  test.setTimeout(90_000);
  const prefix = `e2e-agent-${stamp()}`;
  const [bot] = await insertBots([prefix]);
  const id = newId("authtoken");
  const { token, hash, hint } = issueSecret("authtoken", id);
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, acl, secret_hash, secret_hint)
    VALUES (${id}, ${await acmeId()}, 'authtoken', ${bot!.id}, 'e2e agent', ${"{bind:*.agents.example.com}"}::text[], ${hash}, ${hint})`;
  // Agents bind only names their account reserved (as an admin with psql would reserve it).
  await sql`INSERT INTO reserved_domains (id, account_id, domain, zone_key) VALUES (${newId("reservedDomain")}, ${await acmeId()}, '*.agents.example.com', 'com.example.agents.')
    ON CONFLICT (domain) DO NOTHING`;
  const hostname = `billing-${stamp()}.agents.example.com`;

  const local = http.createServer((req, res) => res.end(`billing worker: ${req.method} ${req.url}`));
  await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
  const forwardTo = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
  let session: ngrok.Session | undefined;
  try {
    const ca = await (await request.get("/agent-ca.pem")).text();
    session = await new ngrok.SessionBuilder().authtoken(token).serverAddr(`localhost:${E2E_AGENT_PORT}`).caCert(Buffer.from(ca)).metadata("e2e worker").connect();
    const listener = await session.httpEndpoint().domain(hostname).listenAndForward(forwardTo);
    const url = new URL(listener.url()!);
    expect(url.hostname).toBe(hostname);
    // Outside the authtoken's ACL: refused, nothing bound.
    expect(await refusalCode(session.httpEndpoint().domain("elsewhere.example.org").listenAndForward(forwardTo))).toBe("ERR_NGROK_308");

    // Two real requests through the ingress (the Host header names the endpoint).
    for (const path of ["/invoices", "/invoices/2"]) {
      const answer = await request.get(`http://127.0.0.1:${E2E_INGRESS_PORT}${path}`, { headers: { Host: url.host } });
      expect(await answer.text()).toBe(`billing worker: GET ${path}`);
    }

    await signIn(page, ADMIN);
    await page.goto(`/users/bots/${bot!.id}`);
    const panel = page.getByTestId("sessions-panel");
    await expect(panel.getByTestId("sessions-online")).toHaveText("1 session online now");
    const row = panel.getByTestId("session-row");
    await expect(row).toContainText("Online");
    await expect(row).toContainText("ngrok/v2");
    await expect(row).toContainText(/agent 1\.7\.0 · \w+\/\w+/);
    await expect(row).toContainText(hostname);
    await expect(row).not.toContainText("elsewhere.example.org");
    // What the session carried is written in batches at most 10 s apart: both ways, two requests.
    await expect(async () => {
      await page.reload();
      await expect(panel.getByTestId("session-row")).toContainText(/[1-9][\d.]* (B|KB) in · [1-9][\d.]* (B|KB) out · 2 requests/, { timeout: 1000 });
    }).toPass({ timeout: 30_000 });

    await page.getByRole("button", { name: "Deactivate" }).click();
    await page.getByTestId("set-bots-active-dialog").getByRole("button", { name: "Deactivate" }).click();
    await expect(page.getByTestId("bot-status")).toHaveText("Deactivated");
    // The session ends at once (live control), and the endpoint with it: ngrok's "endpoint offline".
    const ask = () => request.get(`http://127.0.0.1:${E2E_INGRESS_PORT}/after`, { headers: { Host: url.host } });
    await expect.poll(async () => (await ask()).status(), { timeout: 5_000 }).toBe(404);
    await page.reload();
    await expect(panel.getByTestId("sessions-online")).toHaveText("No agent online");
    await expect(panel.getByTestId("session-row")).toContainText("Ended · bot deactivated");
  } finally {
    await session?.close().catch(() => {});
    local.close();
    await retireBots(prefix);
  }
});
