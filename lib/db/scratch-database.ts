import { randomBytes } from "node:crypto";
import { queryOnce } from "./query-once";
import { startThrowawayCluster } from "./throwaway-cluster";

/**
 * Throwaway databases, for the schema engine's shadow database, the drift
 * check and tests.
 */

export interface ScratchDatabase {
  url: string;
  /** Drops the database. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named database on the server at `serverUrl` (which needs
 * CREATEDB) and checks it really is a separate database: a proxy or a
 * single-database server may accept CREATE DATABASE yet serve one database
 * under any name, and scratch work there would hit real data.
 */
export async function createScratchDatabase(serverUrl: string, prefix = "botdesk_scratch"): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now()}_${randomBytes(4).toString("hex")}`;
  const drop = async () => void (await queryOnce(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  await queryOnce(serverUrl, `CREATE DATABASE "${name}"`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const [row] = await queryOnce<{ db: string }>(url, "SELECT current_database() AS db").catch(() => []);
  const actual = row?.db;
  if (actual !== name) {
    await drop();
    throw new Error(`The server at ${u.host} does not serve separate databases (asked for ${name}, got ${actual}); use a real PostgreSQL server for scratch databases.`);
  }
  return { url, drop };
}

export interface ScratchServer {
  /** A new, empty, uniquely named database. */
  createDatabase(): Promise<ScratchDatabase>;
  close(): Promise<void>;
}

/**
 * Where throwaway databases come from: the PostgreSQL server at `serverUrl`
 * (uniquely named databases, dropped after), or, without one, a throwaway
 * embedded cluster (about 1 s to start, deleted by close()).
 */
export async function openScratchServer(serverUrl?: string): Promise<ScratchServer> {
  if (serverUrl) return { createDatabase: () => createScratchDatabase(serverUrl), close: async () => {} };
  const cluster = await startThrowawayCluster();
  return { createDatabase: () => createScratchDatabase(cluster.serverUrl), close: cluster.stop };
}
