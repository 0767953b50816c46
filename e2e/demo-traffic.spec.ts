import { spawn } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { issueSecret } from "../lib/domain/credentials/token-format";
import { newId } from "../lib/ids";
import { E2E_PORT } from "./support/constants";
import { sql } from "./support/db";
import { ADMIN, signIn } from "./support/session";
import { acmeId } from "./support/users";

// npm run demo:traffic against the production server: the bots get fresh
// credentials through the REST API and the simulated integrations show up as
// attributed sessions, refusals and usage.

test("demo:traffic gives bots credentials and runs API calls, HTTP agent sessions (one bind refused) and an SSH session", async ({ page }) => {
  test.setTimeout(120_000);
  const started = new Date().toISOString();
  const [admin] = await sql<{ id: string }>`SELECT id FROM principals WHERE email = 'admin@example.com'`;
  const id = newId("apiKey");
  const { token, hash, hint } = issueSecret("api_key", id);
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
    VALUES (${id}, ${await acmeId()}, 'api_key', ${admin!.id}, 'e2e demo traffic', ${hash}, ${hint})`;

  const script = path.resolve(import.meta.dirname, "../scripts/demo-traffic.ts");
  const run = spawn(process.execPath, ["--import", "tsx", script, "--url", `http://localhost:${E2E_PORT}`, "--api-key", token, "--duration", "12"], { stdio: "pipe" });
  let out = "";
  run.stdout.on("data", (d: Buffer) => (out += d.toString()));
  run.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => run.on("exit", resolve));
  expect(code, out).toBe(0);
  expect(out).toContain("refused as expected (ERR_NGROK_308)");

  const read = () => sql<{ transport: string; principal_kind: string; ended: boolean }>`
    SELECT s.transport, p.kind::text AS principal_kind, s.ended_at IS NOT NULL AS ended
    FROM tunnel_sessions s JOIN principals p ON p.id = s.principal_id WHERE s.started_at >= ${started}::timestamptz`;
  // The SSH session ends as the server sees the connection close, a moment after the script is done.
  let sessions = await read();
  for (let i = 0; i < 50 && !sessions.every((s) => s.ended); i++) {
    await new Promise((r) => setTimeout(r, 100));
    sessions = await read();
  }
  expect(sessions.filter((s) => s.transport === "ngrok/v2").length, out).toBeGreaterThanOrEqual(1);
  expect(sessions.every((s) => s.principal_kind === "bot" && s.ended), JSON.stringify(sessions)).toBe(true);
  // The SSH session, through the system's ssh client (there is one wherever these tests run: the SSH tests need it too).
  expect(out).toMatch(/ssh \(.*\): Botdesk: tunnel session ts_\w+: forwarding https:\/\//);
  expect(sessions.some((s) => s.transport === "ssh"), JSON.stringify(sessions)).toBe(true);
  const refused = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE type = 'agent.bind_refused' AND created_at >= ${started}::timestamptz`;
  expect(refused[0]!.n, out).toBe(1);
  const apiUse = await sql<{ n: number }>`
    SELECT COALESCE(sum(u.api_requests), 0)::int AS n FROM usage_daily u JOIN principals p ON p.id = u.principal_id WHERE p.kind = 'bot'`;
  expect(apiUse[0]!.n).toBeGreaterThan(0);

  await signIn(page, ADMIN);
  await page.goto("/activity?type=agent.bind_refused");
  await expect(page.getByTestId("event-row").first()).toBeVisible();
  // The README's picture: the first bot's page after the run (SCREENSHOT_DIR=docs/screenshots).
  const botPage = /\/users\/bots\/(bot_\w+)/.exec(out)?.[1];
  expect(botPage, out).toBeTruthy();
  await page.goto(`/users/bots/${botPage}`);
  await expect(page.getByTestId("session-row").filter({ hasText: "demo.botdesk.test" }).first()).toBeVisible();
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/demo-traffic-bot.png`, fullPage: true });
});
