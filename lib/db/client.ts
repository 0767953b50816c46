import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { readEnv } from "../env";
import { preparedStatementName } from "./prepared";

export type Db = PrismaClient;

export function createPrismaClient(connectionString: string, poolSize = readEnv().DATABASE_POOL_SIZE): PrismaClient {
  const statementTimeout = readEnv().DATABASE_STATEMENT_TIMEOUT_MS;
  // Every statement of the app is bounded on the server (statement_timeout), so
  // one runaway query cannot hold a pooled connection and its locks for long.
  const adapter = new PrismaPg(
    { connectionString, max: poolSize, ...(statementTimeout > 0 ? { options: `-c statement_timeout=${statementTimeout}` } : {}) },
    // The hot statements, marked in their SQL, are planned once per connection (prepared.ts).
    { statementNameGenerator: preparedStatementName },
  );
  // A transaction waits up to 15 s for a pooled connection and runs at most 20 s.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 15_000, timeout: 20_000 } });
}

const globalForPrisma = globalThis as unknown as { botdeskPrisma?: PrismaClient };

/** The process's Prisma client, created on first use (one per process, also across hot reloads). */
export function db(): PrismaClient {
  if (!globalForPrisma.botdeskPrisma) {
    // Read at first use, not at import: the start command and test setup provide it late.
    const url = readEnv().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start Botdesk with `npm start`, which provides one.");
    globalForPrisma.botdeskPrisma = createPrismaClient(url);
  }
  return globalForPrisma.botdeskPrisma;
}
