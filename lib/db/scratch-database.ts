import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Throwaway databases, for the schema engine's shadow database, the drift
 * check and tests.
 */

export interface ScratchDatabase {
  url: string;
  /** Drops the database (or empties it, on PGlite). */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named database on the server at `serverUrl` (which needs
 * CREATEDB) and checks it really is a separate database: PGlite behind
 * pglite-socket accepts CREATE DATABASE but serves its one database under any
 * name, and running scratch work there would hit real data.
 */
export async function createScratchDatabase(serverUrl: string, prefix = "botdesk_scratch"): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now()}_${randomBytes(4).toString("hex")}`;
  const onServer = async (sql: string) => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  };
  const drop = () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await onServer(`CREATE DATABASE "${name}"`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const check = new pg.Client({ connectionString: url });
  let actual: string | undefined;
  try {
    await check.connect();
    actual = (await check.query<{ db: string }>("SELECT current_database() AS db")).rows[0]?.db;
  } finally {
    await check.end().catch(() => {});
  }
  if (actual !== name) {
    await drop();
    throw new Error(`The server at ${u.host} does not serve separate databases (asked for ${name}, got ${actual}); use a real PostgreSQL server for scratch databases.`);
  }
  return { url, drop };
}

export interface ScratchServer {
  readonly kind: "postgres" | "pglite";
  /** An empty database. On PGlite there is one at a time: drop it before asking for the next. */
  createDatabase(): Promise<ScratchDatabase>;
  close(): Promise<void>;
}

/**
 * Where throwaway databases come from: the PostgreSQL server at `serverUrl`
 * (uniquely named databases, dropped after), or, without one, an in-memory
 * PGlite served on a loopback port (5–11 s to start).
 */
export async function openScratchServer(serverUrl?: string): Promise<ScratchServer> {
  if (serverUrl) {
    return { kind: "postgres", createDatabase: () => createScratchDatabase(serverUrl), close: async () => {} };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 32 });
  await server.start();
  const url = `postgresql://postgres@${server.getServerConn()}/postgres`;
  let inUse = false;
  const empty = () => db.exec("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
  return {
    kind: "pglite",
    async createDatabase() {
      if (inUse) throw new Error("The PGlite scratch server holds one database at a time: drop the previous one first.");
      inUse = true;
      await empty();
      return {
        url,
        drop: async () => {
          if (!inUse) return;
          await empty();
          inUse = false;
        },
      };
    },
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
