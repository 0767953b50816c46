import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { locatePostgresBinaries, runnableBinaries, serverUser } from "./postgres-binaries";
import { createCluster, startServer } from "./postgres-server";

export interface ThrowawayCluster {
  /** The superuser's URL of the `postgres` database: create databases from here. */
  serverUrl: string;
  /** Stops the server and deletes every file of it. */
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server for tests, benchmarks and the schema tools' scratch
 * databases: a fresh cluster in the system's temporary directory, without
 * durability (nothing in it is meant to outlive the process), deleted by stop().
 */
export async function startThrowawayCluster(log: (line: string) => void = () => {}): Promise<ThrowawayCluster> {
  const user = serverUser(log);
  const binaries = runnableBinaries(locatePostgresBinaries(), user, log);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-pg-"));
  // The server's user (as root: "postgres") must be able to enter it.
  fs.chmodSync(home, 0o755);
  const opts = {
    pgdata: path.join(home, "data"),
    binaries,
    user,
    password: randomBytes(18).toString("base64url"),
    logFile: path.join(home, "postgres.log"),
    fastInit: true,
    settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off", max_connections: "200" },
  };
  try {
    await createCluster(opts, async () => {});
    const server = await startServer(opts);
    let stopping: Promise<void> | undefined;
    return {
      serverUrl: server.url("postgres"),
      stop: () =>
        (stopping ??= (async () => {
          await server.stop();
          fs.rmSync(home, { recursive: true, force: true });
        })()),
    };
  } catch (err) {
    fs.rmSync(home, { recursive: true, force: true });
    throw err;
  }
}
