import fs from "node:fs";
import path from "node:path";
import { embeddedDatabaseUrl, startEmbeddedPostgres } from "./embedded";
import { isAlive } from "./postgres-server";

/**
 * The database for an operator's command (`npm run reset-owner`, say): the
 * server of DATABASE_URL when it is set, else the embedded database of
 * BOTDESK_DATA_DIR — the one a running Botdesk serves (its port is read from
 * the cluster's postmaster.pid), or, when none is running, a server started on
 * that cluster for the command and stopped after it.
 */
export async function openScriptDatabase(opts: { databaseUrl?: string; dataDir: string; log: (line: string) => void }): Promise<{ url: string; close: () => Promise<void>; where: string }> {
  if (opts.databaseUrl) return { url: opts.databaseUrl, close: async () => {}, where: "the PostgreSQL server of DATABASE_URL" };
  const dataDir = path.resolve(opts.dataDir);
  const pgdata = path.join(dataDir, "postgres");
  if (!fs.existsSync(path.join(pgdata, "PG_VERSION"))) {
    throw new Error(`No embedded database in ${dataDir} (set BOTDESK_DATA_DIR to the data directory Botdesk uses, or DATABASE_URL for a server).`);
  }
  const running = runningPort(pgdata);
  if (running !== null) return { url: embeddedDatabaseUrl(dataDir, running), close: async () => {}, where: `the embedded database of the running Botdesk (${pgdata})` };
  const server = await startEmbeddedPostgres({ dataDir, port: 0, log: opts.log });
  return { url: server.url, close: server.stop, where: `the embedded database in ${server.pgdata} (started for this command)` };
}

/** The port of the postmaster running on `pgdata` (postmaster.pid: pid on line 1, port on line 4), or null. */
function runningPort(pgdata: string): number | null {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(pgdata, "postmaster.pid"), "utf8").split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) && Number.isInteger(port) && port > 0 ? port : null;
}
