import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { applyMigrations } from "./migrate";
import { queryOnce } from "./query-once";
import { startThrowawayCluster } from "./throwaway-cluster";
import { readEnv } from "../env";

/**
 * Databases for tests and benchmarks, on a real PostgreSQL server: the one at
 * TEST_DATABASE_URL, or else a throwaway embedded cluster. A migrated template
 * is made once per run; each test file (or benchmark) gets a fresh copy of it
 * (`CREATE DATABASE … TEMPLATE …`, tens of milliseconds), so files run in
 * parallel and concurrency tests race for real.
 */

const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

export interface TestServer {
  /** A URL of the server's maintenance database, for CREATE/DROP DATABASE. */
  serverUrl: string;
  kind: "server" | "embedded";
  stop(): Promise<void>;
}

export type TestDatabase = { url: string; stop(): Promise<void> };

/** TEST_DATABASE_URL's server, or a new throwaway embedded cluster (about 1 s). */
export async function openTestServer(): Promise<TestServer> {
  // Test-only switch, read here rather than in lib/env.ts, which the app validates.
  const serverUrl = readEnv().TEST_DATABASE_URL;
  if (serverUrl) return { serverUrl, kind: "server", stop: async () => {} };
  const cluster = await startThrowawayCluster();
  return { serverUrl: cluster.serverUrl, kind: "embedded", stop: cluster.stop };
}

/** A new database named `name` on the server with every migration applied, to copy from. */
export async function createTemplate(serverUrl: string, name: string): Promise<void> {
  await queryOnce(serverUrl, `CREATE DATABASE "${name}"`);
  try {
    await applyMigrations({ connectionString: databaseUrl(serverUrl, name), migrationsDir: MIGRATIONS_DIR, log: () => {} });
  } catch (err) {
    await dropDatabase(serverUrl, name).catch(() => {});
    throw err;
  }
}

/** A fresh copy of `template` named `<prefix>_<random>`; stop() drops it. */
export async function createDatabaseFrom(serverUrl: string, template: string, prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await queryOnce(serverUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
      break;
    } catch (err) {
      // "source database is being accessed by other users": another worker's copy is still connecting. Brief; retry.
      if ((err as { code?: string }).code !== "55006" || attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  let stopping: Promise<void> | undefined;
  return { url: databaseUrl(serverUrl, name), stop: () => (stopping ??= dropDatabase(serverUrl, name)) };
}

/** Drops every database whose name starts with `prefix` (a run's leftovers). */
export async function dropDatabasesLike(serverUrl: string, prefix: string): Promise<void> {
  const databases = await queryOnce<{ datname: string }>(serverUrl, "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]);
  for (const { datname } of databases) await queryOnce(serverUrl, `DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
}

/**
 * A server, a migrated database on it, and stop() that drops the database and
 * stops the server (for scripts such as the benchmark; test files get theirs
 * from the run's setup instead).
 */
export async function startTestDatabase(): Promise<TestDatabase & { kind: TestServer["kind"] }> {
  const server = await openTestServer();
  const name = `botdesk_bench_${randomBytes(5).toString("hex")}`;
  try {
    await createTemplate(server.serverUrl, name);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    url: databaseUrl(server.serverUrl, name),
    kind: server.kind,
    stop: async () => {
      await dropDatabase(server.serverUrl, name);
      await server.stop();
    },
  };
}

export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await queryOnce(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
