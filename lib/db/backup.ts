import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import pg from "pg";
import { serverUser } from "./postgres-binaries";
import { isAlive, SUPERUSER } from "./postgres-server";

/**
 * Backup and restore of the embedded database (`<data dir>/postgres`), with
 * PostgreSQL's own physical backup: its npm package ships no pg_dump, and
 * Debian's pg_dump 15 refuses a PostgreSQL 18 server.
 *
 * - While Botdesk runs: the low-level backup API. A temporary replication slot
 *   keeps the WAL the copy needs; `pg_backup_start` → a tar of the cluster
 *   (without pg_wal) → `pg_backup_stop`, whose backup_label goes into the
 *   archive with the WAL segments from the backup's start to its end. On its
 *   first start, PostgreSQL replays them to a consistent state.
 * - While it is stopped: a tar of the cluster as it is (consistent on disk).
 *
 * The archive (`.tar.gz`) also holds the data directory's `postgres-password`
 * and `auth-secret` (the database's stored keys are encrypted with it), so a
 * restore into a new data directory starts as the old one did. It is a secret:
 * keep it like the data directory.
 *
 * Restore replaces the cluster and refuses while a server runs on it; the old
 * cluster is moved aside, never deleted. GNU tar (Linux) does the copying.
 */

const EXTRAS = ["postgres-password", "auth-secret"] as const;
/** Inside the archive: the cluster's files under pgdata/, the data directory's files under files/. */
const PGDATA = "pgdata";
const FILES = "files";
/** Never copied (PostgreSQL's own list for base backups). */
const EXCLUDED = ["postmaster.pid", "postmaster.opts", "pg_wal/*", "pg_replslot/*", "pg_dynshmem/*", "pg_notify/*", "pg_serial/*", "pg_snapshots/*", "pg_stat_tmp/*", "pg_subtrans/*", "pgsql_tmp*", "backup_label", "tablespace_map"];

export interface BackupResult {
  file: string;
  mode: "online" | "offline";
  bytes: number;
  walSegments: number;
}

/** The cluster directory of a data directory (`<data dir>/postgres`, following its link as root). */
export function clusterOf(dataDir: string): string {
  const link = path.join(path.resolve(dataDir), "postgres");
  const stat = fs.lstatSync(link, { throwIfNoEntry: false });
  if (!stat) throw new Error(`No embedded database in ${path.resolve(dataDir)} (no postgres/ there). Set BOTDESK_DATA_DIR to the data directory Botdesk uses.`);
  return stat.isSymbolicLink() ? path.resolve(path.dirname(link), fs.readlinkSync(link)) : link;
}

/** The running postmaster of a cluster, from its postmaster.pid (pid and port), or null. */
export function runningServer(pgdata: string): { pid: number; port: number } | null {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(pgdata, "postmaster.pid"), "utf8").split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  return { pid, port };
}

function tar(args: string[], okCodes = [0]): void {
  const r = spawnSync("tar", args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw new Error(`tar could not run: ${r.error.message}`);
  if (!okCodes.includes(r.status ?? -1)) throw new Error(`tar ${args[0]} failed (exit ${r.status}): ${r.stderr.trim().slice(0, 500)}`);
}

/** Backs up the embedded database of `dataDir` into `file` (a .tar.gz), online or offline as Botdesk runs or not. */
export async function backupEmbedded(opts: { dataDir: string; file: string; log?: (line: string) => void }): Promise<BackupResult> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const pgdata = clusterOf(dataDir);
  const file = path.resolve(opts.file);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-backup-"));
  const plain = path.join(work, "backup.tar");
  const excludes = EXCLUDED.map((e) => `--exclude=./${e}`);
  const asPgdata = `--transform=s,^\\.,${PGDATA},`;
  let walSegments = 0;
  try {
    const running = runningServer(pgdata);
    if (running) {
      const password = fs.readFileSync(path.join(dataDir, "postgres-password"), "utf8").trim();
      const client = new pg.Client({ host: "127.0.0.1", port: running.port, user: SUPERUSER, password, database: "postgres" });
      await client.connect();
      try {
        // Keeps every WAL segment from here on until this session ends, so a checkpoint during the copy removes none the backup needs.
        await client.query("SELECT pg_create_physical_replication_slot($1, true, true)", [`botdesk_backup_${randomBytes(4).toString("hex")}`]);
        const start = await client.query<{ file: string }>("SELECT pg_walfile_name(pg_backup_start($1, true)) AS file", [`botdesk ${new Date().toISOString()}`]);
        log(`Online backup of the running database (${pgdata}) from WAL ${start.rows[0]!.file}…`);
        // Exit 1: a file changed while it was read, which WAL replay repairs.
        tar(["-cf", plain, ...excludes, asPgdata, "-C", pgdata, "."], [0, 1]);
        const stop = await client.query<{ labelfile: string; spcmapfile: string; file: string }>(
          "SELECT labelfile, spcmapfile, pg_walfile_name(lsn) AS file FROM pg_backup_stop(false)",
        );
        const { labelfile, spcmapfile, file: stopFile } = stop.rows[0]!;
        // The segment holding the backup's end must be complete on disk before it is copied.
        await client.query("SELECT pg_switch_wal()");
        const startFile = /START WAL LOCATION: .* \(file ([0-9A-F]{24})\)/.exec(labelfile)?.[1] ?? start.rows[0]!.file;
        const timeline = startFile.slice(0, 8);
        const segments = fs.readdirSync(path.join(pgdata, "pg_wal")).filter((n) => /^[0-9A-F]{24}$/.test(n) && n.startsWith(timeline) && n >= startFile && n <= stopFile).sort();
        if (!segments.includes(startFile) || !segments.includes(stopFile)) throw new Error(`The WAL the backup needs (${startFile} to ${stopFile}) is not all in ${path.join(pgdata, "pg_wal")}.`);
        walSegments = segments.length;
        const extra = path.join(work, PGDATA);
        fs.mkdirSync(path.join(extra, "pg_wal"), { recursive: true });
        fs.writeFileSync(path.join(extra, "backup_label"), labelfile);
        if (spcmapfile) fs.writeFileSync(path.join(extra, "tablespace_map"), spcmapfile);
        for (const s of segments) fs.copyFileSync(path.join(pgdata, "pg_wal", s), path.join(extra, "pg_wal", s));
        tar(["-rf", plain, "-C", work, PGDATA]);
      } finally {
        await client.end().catch(() => {});
      }
    } else {
      log(`Offline backup of the stopped database (${pgdata})…`);
      tar(["-cf", plain, ...EXCLUDED.filter((e) => e !== "pg_wal/*").map((e) => `--exclude=./${e}`), asPgdata, "-C", pgdata, "."]);
    }
    const files = path.join(work, FILES);
    fs.mkdirSync(files);
    for (const name of EXTRAS) if (fs.existsSync(path.join(dataDir, name))) fs.copyFileSync(path.join(dataDir, name), path.join(files, name));
    tar(["-rf", plain, "-C", work, FILES]);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.partial-${process.pid}`;
    await pipeline(fs.createReadStream(plain), createGzip(), fs.createWriteStream(partial, { mode: 0o600 }));
    fs.renameSync(partial, file);
    const bytes = fs.statSync(file).size;
    log(`Backed up to ${file} (${(bytes / 1024 / 1024).toFixed(1)} MB${walSegments ? `, with ${walSegments} WAL segment(s)` : ""}). It holds the database's password and AUTH_SECRET: keep it safe.`);
    return { file, mode: running ? "online" : "offline", bytes, walSegments };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export interface RestoreResult {
  pgdata: string;
  /** Where the replaced cluster was moved (null when there was none). */
  previous: string | null;
}

/**
 * Replaces the embedded database of `dataDir` with the backup in `file`.
 * Refuses while a server runs on the cluster (stop Botdesk first). The current
 * cluster is moved to `postgres.before-restore-<time>` beside it; the backup's
 * password and AUTH_SECRET files replace the data directory's (the old ones kept
 * with a `.before-restore-<time>` suffix).
 */
export async function restoreEmbedded(opts: { dataDir: string; file: string; log?: (line: string) => void }): Promise<RestoreResult> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const file = path.resolve(opts.file);
  if (!fs.existsSync(file)) throw new Error(`No backup at ${file}.`);
  fs.mkdirSync(dataDir, { recursive: true });
  const link = path.join(dataDir, "postgres");
  const exists = fs.lstatSync(link, { throwIfNoEntry: false });
  const pgdata = exists ? clusterOf(dataDir) : link;
  const running = exists ? runningServer(pgdata) : null;
  if (running) throw new Error(`Botdesk's database is running on ${pgdata} (process ${running.pid}): stop Botdesk (Ctrl-C on npm start), then restore.`);

  const work = fs.mkdtempSync(path.join(path.dirname(pgdata), ".botdesk-restore-"));
  try {
    const plain = path.join(work, "backup.tar");
    await pipeline(fs.createReadStream(file), createGunzip(), fs.createWriteStream(plain));
    tar(["-xf", plain, "-C", work]);
    const restored = path.join(work, PGDATA);
    if (!fs.existsSync(path.join(restored, "PG_VERSION"))) throw new Error(`${file} is not a Botdesk backup (no ${PGDATA}/PG_VERSION in it).`);
    // The directories the backup left out, empty, as PostgreSQL expects them.
    for (const dir of ["pg_wal/archive_status", "pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans"]) fs.mkdirSync(path.join(restored, dir), { recursive: true });
    const user = process.getuid?.() === 0 ? serverUser(log) : null;
    if (user) spawnSync("chown", ["-R", `${user.uid}:${user.gid}`, restored]);
    fs.chmodSync(restored, 0o700);

    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    let previous: string | null = null;
    if (fs.existsSync(pgdata)) {
      previous = `${pgdata}.before-restore-${stamp}`;
      fs.renameSync(pgdata, previous);
    }
    fs.renameSync(restored, pgdata);
    for (const name of EXTRAS) {
      const from = path.join(work, FILES, name);
      if (!fs.existsSync(from)) continue;
      const to = path.join(dataDir, name);
      if (fs.existsSync(to)) fs.renameSync(to, `${to}.before-restore-${stamp}`);
      fs.copyFileSync(from, to);
      fs.chmodSync(to, 0o600);
    }
    log(`Restored ${file} into ${pgdata}${previous ? `; the database it replaced is in ${previous} (delete it once the restore is checked)` : ""}. Start Botdesk with npm start.`);
    return { pgdata, previous };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
