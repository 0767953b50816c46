import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_AGENT_PORT, E2E_INGRESS_PORT, E2E_PORT, E2E_SSH_PORT } from "./support/constants";
import { sql } from "./support/db";
import { ADMIN, MEMBER, signIn } from "./support/session";
import { acmeId, stamp } from "./support/users";

// npm run demo:traffic against the production server: the bots get fresh
// credentials through the REST API, real ngrok agents (@ngrok/ngrok) carry real
// requests through the ingress, and all of it shows up as attributed sessions,
// traffic, refusals and usage.

// A failed expectation must not leave the script running (Ctrl-C ends its sessions).
let running: ChildProcess | null = null;
test.afterEach(() => {
  if (running && running.exitCode === null) running.kill("SIGINT");
});

test("demo:traffic gives bots credentials and runs API calls, real ngrok agents carrying requests through the ingress (one bind refused) and an SSH session, live on the bot's page", async ({ page }) => {
  test.setTimeout(120_000);
  const started = new Date().toISOString();
  // As docs/agents.md says: the URL and the admin's password (it signs in and makes its own API key).
  const script = path.resolve(import.meta.dirname, "../scripts/demo-traffic.ts");
  const args = ["--url", `http://localhost:${E2E_PORT}`, "--email", ADMIN.email, "--password", ADMIN.password, "--duration", "40", "--ssh-port", String(E2E_SSH_PORT),
    "--agent-port", String(E2E_AGENT_PORT), "--ingress-port", String(E2E_INGRESS_PORT)];
  const run = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: "pipe", env: { ...process.env, BOTDESK_API_KEY: "" } });
  running = run;
  let out = "";
  run.stdout.on("data", (d: Buffer) => (out += d.toString()));
  run.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => run.on("exit", resolve));

  // While it runs, the first bot's page shows its two agents live: the ngrok agent and the SSH session.
  const sshLine = /ssh \((.+), key sshcr_\w+\): Botdesk: tunnel session ts_\w+: forwarding https:\/\//;
  await expect.poll(() => out, { timeout: 30_000, message: "the SSH session is up" }).toMatch(sshLine);
  const firstBot = sshLine.exec(out)![1]!;
  const hostname = `${firstBot.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.demo.botdesk.test`;
  await expect.poll(() => out, { timeout: 10_000 }).toContain(`${firstBot}: ngrok agent (authtoken cr_`);
  expect(out).toContain(`forwarding http://${hostname}:${E2E_INGRESS_PORT} to http://127.0.0.1:`);
  const [bot] = await sql<{ id: string }>`SELECT id FROM principals WHERE account_id = ${await acmeId()} AND kind = 'bot' AND name = ${firstBot} AND deleted_at IS NULL`;
  await signIn(page, ADMIN);
  await page.goto(`/users/bots/${bot!.id}`);
  const panel = page.getByTestId("sessions-panel");
  await expect(panel.getByTestId("sessions-online")).toHaveText(/^2 sessions online now/);
  const live = panel.getByTestId("session-row").filter({ hasText: "Online" });
  await expect(live.filter({ hasText: hostname })).toHaveCount(1);
  await expect(live.filter({ hasText: "OpenSSH" })).toHaveCount(1);
  // What the ingress carried is written in batches at most 10 s apart: the ngrok session's totals grow while it is online.
  const totals = async () => {
    await page.reload();
    const text = (await live.filter({ hasText: "ngrok/v2" }).textContent()) ?? "";
    return Number(/(\d+) requests?/.exec(text)?.[1] ?? 0);
  };
  await expect.poll(totals, { timeout: 20_000, intervals: [1000] }).toBeGreaterThan(0);
  const first = await totals();
  await expect.poll(totals, { timeout: 20_000, intervals: [1000] }).toBeGreaterThan(first);
  await expect(live.filter({ hasText: "ngrok/v2" })).not.toContainText("0 B in");
  // docs/agents.md's picture, taken live (SCREENSHOT_DIR=docs/screenshots).
  if (process.env.SCREENSHOT_DIR) await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/demo-traffic-bot.png`, fullPage: true });

  const code = await exited;
  expect(code, out).toBe(0);
  // Its own key: made with the admin's session, recorded as the admin's doing in the dashboard.
  const [made] = await sql<{ source: string; email: string }>`
    SELECT e.source::text AS source, p.email FROM events e JOIN credentials c ON c.id = e.subject_id JOIN principals p ON p.id = e.principal_id
    WHERE e.type = 'credential.created' AND c.kind = 'api_key' AND c.description LIKE '%(demo:traffic''s own key)' AND e.created_at >= ${started}::timestamptz`;
  expect(made, out).toEqual({ source: "dashboard", email: ADMIN.email });
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
  expect(sessions.some((s) => s.transport === "ssh"), JSON.stringify(sessions)).toBe(true);
  const refused = await sql<{ n: number }>`SELECT count(*)::int AS n FROM events WHERE type = 'agent.bind_refused' AND created_at >= ${started}::timestamptz`;
  expect(refused[0]!.n, out).toBe(1);
  const apiUse = await sql<{ n: number }>`
    SELECT COALESCE(sum(u.api_requests), 0)::int AS n FROM usage_daily u JOIN principals p ON p.id = u.principal_id WHERE p.kind = 'bot'`;
  expect(apiUse[0]!.n).toBeGreaterThan(0);

  await page.goto("/activity?type=agent.bind_refused");
  await expect(page.getByTestId("event-row").first()).toBeVisible();
  // Once it is done, the same page shows the sessions ended.
  await page.goto(`/users/bots/${bot!.id}`);
  await expect(panel.getByTestId("sessions-online")).toHaveText("No agent online");
  await expect(panel.getByTestId("session-row").filter({ hasText: "demo.botdesk.test" }).first()).toContainText("Ended");
});

test("POST /settings/api-keys makes the signed-in person's own API key with their session, once, and nothing else", async ({ page }) => {
  const base = `http://localhost:${E2E_PORT}`;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    page.request.post("/settings/api-keys", { headers: { "Content-Type": "application/json", Origin: base, ...headers }, data: JSON.stringify(body), maxRedirects: 0 });
  // Without a session: refused, nothing made.
  const anonymous = await fetch(`${base}/settings/api-keys`, { method: "POST", headers: { "Content-Type": "application/json", Origin: base }, body: "{}" });
  expect(anonymous.status).toBe(401);

  await signIn(page, MEMBER);
  // Its own description each run (--repeat-each): the settings page lists every run's key.
  const description = `e2e session key ${stamp()}`;
  const res = await post({ description });
  expect(res.status()).toBe(201);
  expect(res.headers()["cache-control"]).toBe("no-store");
  const key = (await res.json()) as { id: string; token: string; owner_id: string; description: string };
  const [member] = await sql<{ id: string }>`SELECT id FROM principals WHERE email = ${MEMBER.email}`;
  expect(key).toMatchObject({ id: expect.stringMatching(/^ak_/), token: expect.stringMatching(/^bdak_/), owner_id: member!.id, description });
  // The key works on the REST API, as the member (who may not create bots).
  const asMember = await fetch(`${base}/api/v1/bot_users`, { method: "POST", headers: { Authorization: `Bearer ${key.token}`, "Content-Type": "application/json" }, body: '{"name":"nope"}' });
  expect(await asMember.json()).toMatchObject({ error_code: "ERR_NGROK_4111" });
  const [event] = await sql<{ principal_id: string; source: string }>`SELECT principal_id, source::text AS source FROM events WHERE type = 'credential.created' AND subject_id = ${key.id}`;
  expect(event).toEqual({ principal_id: member!.id, source: "dashboard" });

  // Only one's own key, only JSON, only from this site; refusals make nothing.
  const count = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM credentials WHERE owner_id = ${member!.id}`)[0]!.n;
  const before = await count();
  const [bot] = await sql<{ id: string }>`SELECT id FROM principals WHERE account_id = ${await acmeId()} AND kind = 'bot' AND deleted_at IS NULL LIMIT 1`;
  const forBot = await post({ owner_id: bot!.id });
  expect(forBot.status()).toBe(400);
  expect(await forBot.json()).toMatchObject({ field: "owner_id" });
  expect((await post({ description: "x".repeat(300) })).status()).toBe(400);
  expect((await post([])).status()).toBe(400);
  const form = await page.request.post("/settings/api-keys", { headers: { Origin: base }, form: { description: "form" }, maxRedirects: 0 });
  expect(form.status()).toBe(415);
  expect((await post({}, { Origin: "https://evil.example" })).status()).toBe(403);
  expect(await count()).toBe(before);
  // It answers the token once: the settings page shows the key without it.
  await page.goto("/settings");
  await expect(page.getByText(description)).toBeVisible();
  expect(await page.content()).not.toContain(key.token);
});
