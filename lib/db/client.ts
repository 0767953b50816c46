import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { readEnv } from "../env";

export type Db = PrismaClient;

export function createPrismaClient(connectionString: string, poolSize = readEnv().DATABASE_POOL_SIZE): PrismaClient {
  const adapter = new PrismaPg({ connectionString, max: poolSize });
  // Generous waits: on the embedded database every transaction queues for its one connection.
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
