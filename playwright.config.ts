import { defineConfig, devices } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium } from "./e2e/support/browser";
import { E2E_AUTH_SECRET, E2E_DATA_DIR, E2E_METRICS_TOKEN, E2E_DATABASE_URL, E2E_DB_PORT, E2E_PORT, E2E_PASSWORD, E2E_SERVER_LOG, E2E_SSH_PORT, E2E_AGENT_PORT, E2E_INGRESS_PORT, E2E_TCP_PORTS, E2E_FORWARD_PORT, E2E_DESTINATION_ALLOW } from "./e2e/support/constants";

/**
 * End-to-end tests in Chromium against a production build served by the real
 * start command, on a fresh embedded database seeded with the demo account (or
 * on E2E_DATABASE_URL, an empty PostgreSQL database).
 */
export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: `http://localhost:${E2E_PORT}`,
    trace: "retain-on-failure",
    launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
  },
  // The hardening suite (e2e/hardening: matrices, fuzz, escapes, secrets) is its own project, run once
  // by `npm run test:hardening` (part of `npm test`) with 150 fuzz runs per property; `--project=e2e` is the rest.
  projects: [
    { name: "e2e", testIgnore: "hardening/**", use: { ...devices["Desktop Chrome"] } },
    { name: "hardening", testMatch: "hardening/**/*.spec.ts", use: { ...devices["Desktop Chrome"] } },
  ],
  webServer: {
    // A fresh data directory each run: the first start creates and seeds it. Its output (stdout and
    // stderr) is also kept in E2E_SERVER_LOG, which the hardening specs read.
    command: `rm -rf "${E2E_DATA_DIR}" && node scripts/start.mjs 2>&1 | tee "${E2E_SERVER_LOG}"`,
    url: `http://localhost:${E2E_PORT}/sign-in`,
    // The first start builds the app: minutes on a busy 2-core machine.
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      PORT: String(E2E_PORT),
      BOTDESK_DATA_DIR: E2E_DATA_DIR,
      BOTDESK_ADMIN_PASSWORD: E2E_PASSWORD,
      // The specs work on the demo account, also on E2E_DATABASE_URL (where a production start would print a setup link instead).
      BOTDESK_DEMO: "1",
      // One web worker: the e2e server is one process (hardening/workers.test.ts tests several).
      BOTDESK_WEB_WORKERS: "1",
      DATABASE_URL: E2E_DATABASE_URL ?? "",
      BOTDESK_EMBEDDED_DB_PORT: String(E2E_DB_PORT),
      BOTDESK_SSH_PORT: String(E2E_SSH_PORT),
      BOTDESK_AGENT_PORT: String(E2E_AGENT_PORT),
      BOTDESK_INGRESS_PORT: String(E2E_INGRESS_PORT),
      BOTDESK_TCP_PORTS: E2E_TCP_PORTS,
      BOTDESK_FORWARD_PORT: String(E2E_FORWARD_PORT),
      BOTDESK_DESTINATION_ALLOW: E2E_DESTINATION_ALLOW,
      AUTH_SECRET: E2E_AUTH_SECRET,
      BOTDESK_METRICS_TOKEN: E2E_METRICS_TOKEN,
      BOTDESK_SIGNIN_MAX_PER_EMAIL: "5",
      BOTDESK_SIGNIN_MAX_PER_IP: "1000",
    },
  },
});
