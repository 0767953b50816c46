import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { acquireLock } from "./data-dir-lock";

/**
 * The embedded PostgreSQL: PGlite (PostgreSQL in WebAssembly) served on a
 * loopback port, so the app talks to it through the same `pg` /
 * `@prisma/adapter-pg` path as to a real server. The socket server queues
 * queries globally but can interleave extended-protocol messages from
 * different connections: the app must use ONE pooled connection. The extra
 * connection slots are for tools such as psql.
 *
 * Two processes that open the same PGlite directory get no error and silently
 * lose data, so a lock file guards the data directory (see data-dir-lock.ts).
 */

export type EmbeddedPostgres = { url: string; dataDir: string; stop(): Promise<void> };
export type InMemoryPostgres = { url: string; stop(): Promise<void> };

// startEmbeddedPostgres throws it when another process holds the data directory.
export { DataDirInUseError } from "./data-dir-lock";

const MAX_CONNECTIONS = 8;

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<EmbeddedPostgres> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = acquireLock(dataDir, log);
  let db: PGlite | undefined;
  try {
    const pgDir = path.join(dataDir, "pg");
    // PGlite builds a new database elsewhere and copies it in when done, so a
    // directory without PG_VERSION has never held data.
    if (!fs.existsSync(path.join(pgDir, "PG_VERSION"))) {
      log(`Creating the embedded database in ${pgDir} (first start only)…`);
    }
    fs.mkdirSync(pgDir, { recursive: true });
    db = await PGlite.create({ dataDir: pgDir });
    const served = await serveAndOwn(db, opts.port ?? 0, () => lock.release());
    return { url: served.url, dataDir, stop: served.stop };
  } catch (err) {
    await db?.close().catch(() => {});
    lock.release();
    throw err;
  }
}

/** An in-memory database loaded from a `dumpDataDir()` tarball (for tests): no lock, nothing on disk. */
export async function startEmbeddedPostgresFromDump(opts: {
  dump: Blob | File | Buffer | Uint8Array;
  port?: number;
}): Promise<InMemoryPostgres> {
  const db = await PGlite.create({ loadDataDir: toTarball(opts.dump) });
  try {
    return await serveAndOwn(db, opts.port ?? 0, () => {});
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}

/**
 * Serves an open PGlite on a loopback port. stop() stops serving and leaves
 * the database open (its owner closes it); it is idempotent.
 */
export async function servePGlite(db: PGlite, port = 0): Promise<{ url: string; stop(): Promise<void> }> {
  // The host is explicit: the database has no password, it must never listen beyond loopback.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port, maxConnections: MAX_CONNECTIONS });
  try {
    await server.start();
  } catch (err) {
    if (code(err) !== "EADDRINUSE") throw err;
    throw new Error(`Port ${port} on 127.0.0.1 is already in use: the embedded database needs a free port (0 picks any).`, { cause: err });
  }
  const actualPort = Number(server.getServerConn().split(":").pop());
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // server.stop() waits for clients to hang up; do not let one stuck client block shutdown.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([server.stop(), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
      clearTimeout(timer);
      // Disconnected handlers roll back their open transactions without being awaited: let them finish.
      // (A referenced timer: with nothing else pending, an unreferenced one would let the process exit here.)
      await new Promise((resolve) => setTimeout(resolve, 20));
    })());
  return { url: `postgresql://postgres@127.0.0.1:${actualPort}/postgres?sslmode=disable`, stop };
}

/** Serves `db` and returns a stop() that also closes it, then runs `afterClose` (even if closing failed). */
async function serveAndOwn(db: PGlite, port: number, afterClose: () => void): Promise<InMemoryPostgres> {
  const served = await servePGlite(db, port);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        await served.stop();
        if (!db.closed) await db.close(); // flushes to disk
      } finally {
        afterClose();
      }
    })());
  return { url: served.url, stop };
}

function toTarball(dump: Blob | File | Buffer | Uint8Array): Blob {
  if (dump instanceof Blob) return dump;
  // PGlite decides on gunzip by file name or MIME type: give it the one that matches the bytes.
  const gzipped = dump[0] === 0x1f && dump[1] === 0x8b;
  return new File([new Uint8Array(dump)], gzipped ? "pgdata.tar.gz" : "pgdata.tar", {
    type: gzipped ? "application/gzip" : "application/x-tar",
  });
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
