import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client";
import { readEnv } from "../env";
import { preparedStatementName } from "./prepared";
import { registerPoolForMetrics } from "../server/metrics-hooks";

export type Db = PrismaClient;

export function createPrismaClient(connectionString: string, poolSize = readEnv().DATABASE_POOL_SIZE): PrismaClient {
  return createPrismaClientWithPool(connectionString, poolSize).client;
}

/** A Prisma client and its pg pool (whose counts the metrics report); `$disconnect` ends the pool. */
function createPrismaClientWithPool(connectionString: string, poolSize: number): { client: PrismaClient; pool: pg.Pool } {
  const statementTimeout = readEnv().DATABASE_STATEMENT_TIMEOUT_MS;
  // Every statement of the app is bounded on the server (statement_timeout), so
  // one runaway query cannot hold a pooled connection and its locks for long.
  const pool = new pg.Pool({ connectionString, max: poolSize, ...(statementTimeout > 0 ? { options: `-c statement_timeout=${statementTimeout}` } : {}) });
  const adapter = new PrismaPg(pool, {
    // The hot statements, marked in their SQL, are planned once per connection (prepared.ts).
    statementNameGenerator: preparedStatementName,
    disposeExternalPool: true,
  });
  // A transaction waits up to 15 s for a pooled connection and runs at most 20 s.
  return { client: new PrismaClient({ adapter, transactionOptions: { maxWait: 15_000, timeout: 20_000 } }), pool };
}

const globalForPrisma = globalThis as unknown as { botdeskPrisma?: PrismaClient };

/** The process's Prisma client, created on first use (one per process, also across hot reloads). */
export function db(): PrismaClient {
  if (!globalForPrisma.botdeskPrisma) {
    // Read at first use, not at import: the start command and test setup provide it late.
    const url = readEnv().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start Botdesk with `npm start`, which provides one.");
    const { client, pool } = createPrismaClientWithPool(url, readEnv().DATABASE_POOL_SIZE);
    registerPoolForMetrics(pool);
    globalForPrisma.botdeskPrisma = client;
  }
  return globalForPrisma.botdeskPrisma;
}
