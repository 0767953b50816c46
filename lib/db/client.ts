import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient, type Prisma } from "./generated/client";
import { readEnv } from "../env";
import { preparedStatementName } from "./prepared";
import { registerPoolForMetrics } from "../server/metrics-hooks";

export type Db = PrismaClient;

/**
 * The pg pool behind each client made here (queryHot runs on it), on globalThis
 * like the client itself: the production build bundles this module more than
 * once (instrumentation, each route), and the copy that made db()'s client need
 * not be the one asking for its pool.
 */
const pools = ((globalThis as unknown as { botdeskPools?: WeakMap<PrismaClient, pg.Pool> }).botdeskPools ??= new WeakMap<PrismaClient, pg.Pool>());

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
  const client = new PrismaClient({ adapter, transactionOptions: { maxWait: 15_000, timeout: 20_000 } });
  pools.set(client, pool);
  return { client, pool };
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

/**
 * A hot statement (marked PREPARED_MARK, prepared.ts) that runs on every request
 * of its kind (the API's key check and counters, getBot; the dashboard's session
 * read and admins' banner), one statement on its own (no transaction), sent straight to the pool
 * behind db() as the same named prepared statement, its rows as node-postgres
 * parses them: without Prisma's raw-query layer (argument mapping, its query
 * interpreter, rows as arrays turned into objects), which cost three times what
 * pg itself does for the API's three statements (bench/README, item 6). The same
 * pool, so DATABASE_POOL_SIZE still bounds the process's connections and the
 * statement timeout holds. Only for statements whose columns pg parses as Prisma
 * would (text, int4, timestamptz as Date, arrays; no bigint, numeric, json):
 * what the caller reads is the same. A client made elsewhere (a bench's swapped
 * in client) runs it through Prisma.
 */
export async function queryHot<T extends object>(query: Prisma.Sql): Promise<T[]> {
  const client = db();
  const pool = pools.get(client);
  if (!pool) return client.$queryRaw<T[]>(query);
  const text = query.text;
  return (await pool.query<T & pg.QueryResultRow>({ name: preparedStatementName({ sql: text }), text, values: query.values })).rows;
}
