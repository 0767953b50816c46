/**
 * `npx tsx scripts/bench-api.ts` (issue 20, the API's per-request work): the
 * throughput of `GET /api/v1/bot_users/{id}` against a bare route handler
 * (`/api/health`) at 10 keep-alive connections, in the same run, alternating
 * the two in rounds so a noisy machine weighs on both alike. Production build,
 * real start command, throwaway database with a small account
 * (scripts/bench-data.ts at BENCH_BOTS=200). Prints each round's requests/s and
 * ratio, and the median ratio (the goal: ≥ 0.7). Asserts nothing.
 *
 * Settings: BENCH_API_ROUNDS (default 5), BENCH_API_SECONDS per route and round
 * (default 4), PORT (default: a free one).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestDatabase } from "../lib/db/test-database";
import { benchSizes } from "./bench-data";
import { buildBotdesk, freePort, seedBenchWithApiKey, startBotdesk, stopBotdesk, throughput, waitFor } from "./bench-support";

const ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 4);
const CONNECTIONS = 10;

process.env.BENCH_BOTS ??= "200";
process.env.BENCH_CREDENTIALS ??= "400";
process.env.BENCH_EVENTS ??= "2000";
process.env.BENCH_USAGE_DAYS ??= "3";


const database = await startTestDatabase();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "botdesk-bench-api-"));
let server: ChildProcess | undefined;
try {
  const { bench, key } = await seedBenchWithApiKey(database.url, benchSizes(true));

  const port = Number(process.env.PORT ?? (await freePort()));
  const base = `http://localhost:${port}`;
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    PORT: String(port),
    BOTDESK_DATA_DIR: dataDir,
    BOTDESK_SSH_PORT: "off",
    BOTDESK_AGENT_PORT: "off",
    BOTDESK_INGRESS_PORT: "off",
    BOTDESK_FORWARD_PORT: "off",
    BOTDESK_TCP_PORTS: "off",
    AUTH_SECRET: "bench-auth-secret-0123456789abcdef0123456789",
    // One web worker unless the run asks for more (BOTDESK_WEB_WORKERS=2 compares workers).
    BOTDESK_WEB_WORKERS: process.env.BOTDESK_WEB_WORKERS ?? "1",
    // Measured: the API's work, not its limits (which are still counted per request).
    BOTDESK_API_MAX_PER_KEY: "1000000",
    BOTDESK_API_MAX_PER_ACCOUNT: "1000000",
    DATABASE_STATEMENT_TIMEOUT_MS: "15000",
  };
  await buildBotdesk(env);
  server = startBotdesk(env);
  await waitFor(`${base}/api/health`, 120_000);

  const bot = bench.botIds[1]!;
  const api = { url: `${base}/api/v1/bot_users/${bot}`, headers: { authorization: `Bearer ${key.token}` } };
  const bare = { url: `${base}/api/health`, headers: {} };
  // Warm both (JIT, connection pools, prepared statements).
  await throughput(bare.url, bare.headers, SECONDS, CONNECTIONS);
  await throughput(api.url, api.headers, SECONDS, CONNECTIONS);
  const ratios: number[] = [];
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  for (let round = 1; round <= ROUNDS; round++) {
    const b = await throughput(bare.url, bare.headers, SECONDS, CONNECTIONS);
    const a = await throughput(api.url, api.headers, SECONDS, CONNECTIONS);
    ratios.push(a / b);
    console.log(`round ${round}: /api/health ${b.toFixed(0)} req/s · GET /api/v1/bot_users/{id} ${a.toFixed(0)} req/s · ratio ${(a / b).toFixed(2)}`);
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  console.log(`median ratio ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} (range ${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)}); load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
} finally {
  await stopBotdesk(server, "SIGTERM");
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
