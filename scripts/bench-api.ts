/**
 * `npx tsx scripts/bench-api.ts` (issue 20, the API's per-request work): the
 * throughput of `GET /api/v1/bot_users/{id}` against a bare route handler
 * (`/api/health`) at 10 keep-alive connections, in the same run, alternating
 * the two in rounds so a noisy machine weighs on both alike. Production build,
 * real start command, throwaway database with a small account
 * (scripts/bench-data.ts at BENCH_BOTS=200). Prints each round's requests/s and
 * ratio, and the median ratio (the issue's goal: ≥ 0.7). Asserts nothing.
 *
 * Settings: BENCH_API_ROUNDS (default 5), BENCH_API_SECONDS per route and round
 * (default 4), PORT (default: a free one).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startTestDatabase } from "../lib/db/test-database";
import { benchSizes, seedBenchAccount } from "./bench-data";

const ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 4);
const CONNECTIONS = 10;
const root = path.resolve(import.meta.dirname, "..");

process.env.BENCH_BOTS ??= "200";
process.env.BENCH_CREDENTIALS ??= "400";
process.env.BENCH_EVENTS ??= "2000";
process.env.BENCH_USAGE_DAYS ??= "3";

async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** Requests/s of `url` at CONNECTIONS loops for SECONDS; every answer must be 200. */
async function throughput(url: string, headers: Record<string, string>): Promise<number> {
  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const r = await fetch(url, { headers });
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`${url} answered ${r.status}`);
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

const database = await startTestDatabase();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "botdesk-bench-api-"));
let server: ChildProcess | undefined;
try {
  process.env.DATABASE_URL = database.url;
  process.env.DATABASE_STATEMENT_TIMEOUT_MS = "600000";
  const { createPrismaClient } = await import("../lib/db/client");
  const client = createPrismaClient(database.url, 4);
  const bench = await seedBenchAccount(client, benchSizes(true));
  const { issueSecret } = await import("../lib/domain/credentials/token-format");
  const { newId } = await import("../lib/ids");
  const keyId = newId("apiKey");
  const key = issueSecret("api_key", keyId);
  await client.credential.create({ data: { id: keyId, accountId: bench.accountId, ownerId: bench.adminId, kind: "api_key", secretHash: key.hash, secretHint: key.hint } });
  await client.$disconnect();

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
  console.log("Building (when the sources changed)…");
  await new Promise<void>((resolve, reject) => {
    const b = spawn(process.execPath, [path.join(root, "scripts", "start.mjs"), "--build-only"], { env, stdio: "inherit", cwd: root });
    b.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`build exited with ${code}`))));
  });
  server = spawn(process.execPath, [path.join(root, "scripts", "start.mjs")], { env, stdio: ["pipe", "ignore", "inherit"], cwd: root, detached: true });
  await waitFor(`${base}/api/health`, 120_000);

  const bot = bench.botIds[1]!;
  const api = { url: `${base}/api/v1/bot_users/${bot}`, headers: { authorization: `Bearer ${key.token}` } };
  const bare = { url: `${base}/api/health`, headers: {} };
  // Warm both (JIT, connection pools, prepared statements).
  await throughput(bare.url, bare.headers);
  await throughput(api.url, api.headers);
  const ratios: number[] = [];
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  for (let round = 1; round <= ROUNDS; round++) {
    const b = await throughput(bare.url, bare.headers);
    const a = await throughput(api.url, api.headers);
    ratios.push(a / b);
    console.log(`round ${round}: /api/health ${b.toFixed(0)} req/s · GET /api/v1/bot_users/{id} ${a.toFixed(0)} req/s · ratio ${(a / b).toFixed(2)}`);
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  console.log(`median ratio ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} (range ${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)}); load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
} finally {
  if (server?.pid) {
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
