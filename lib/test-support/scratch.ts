import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { openScratchServer, type ScratchServer } from "../db/scratch-database";

/**
 * For tests of the migration runner: empty, uniquely named databases on the
 * run's PostgreSQL server, and a temporary folder for migration files, both
 * cleaned up after the file. Call at the top level of a test file.
 */
export function scratchDatabases(name: string): {
  withDatabase(fn: (client: pg.Client, url: string) => Promise<void>): Promise<void>;
  tmp(): string;
} {
  let server: ScratchServer;
  let tmp: string;
  beforeAll(async () => {
    server = await openScratchServer(inject("testServerUrl"));
    tmp = await mkdtemp(path.join(os.tmpdir(), `botdesk-${name}-`));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });
  return {
    async withDatabase(fn) {
      const db = await server.createDatabase();
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        await fn(client, db.url);
      } finally {
        await client.end();
        await db.drop();
      }
    },
    tmp: () => tmp,
  };
}
