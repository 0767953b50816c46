import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { servePGlite, startEmbeddedPostgresFromDump } from "./embedded";
import { applyMigrations } from "./migrate";
import { readEnv } from "../env";

/**
 * Databases for tests. With TEST_DATABASE_URL (a real PostgreSQL server) each
 * test database is a fresh `botdesk_test_<random>` database on it; without,
 * an in-memory PGlite loaded from a migrated template that is cached on disk,
 * because building a PGlite database from scratch costs 5–11 s.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MIGRATIONS_DIR = path.join(ROOT, "prisma", "migrations");
const CACHE_DIR = path.join(ROOT, "node_modules", ".cache", "botdesk");
/** Uncompressed: loads faster than gzip (measured); the cache is local disk. */
const COMPRESSION = "none" as const;

export type TestDatabase = { url: string; stop(): Promise<void> };

const templates = new Map<string, Promise<Buffer>>();

/** A `dumpDataDir()` tarball of a PGlite database with every migration applied, cached on disk by content. */
export function prepareTemplate(): Promise<Buffer> {
  const file = path.join(CACHE_DIR, `pglite-template-${templateKey()}.tar`);
  let template = templates.get(file);
  if (!template) {
    template = readOrBuildTemplate(file);
    templates.set(file, template);
    template.catch(() => templates.delete(file));
  }
  return template;
}

async function readOrBuildTemplate(file: string): Promise<Buffer> {
  try {
    return await fs.promises.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const db = await PGlite.create();
  try {
    const served = await servePGlite(db);
    try {
      await applyMigrations({ connectionString: served.url, migrationsDir: MIGRATIONS_DIR, log: () => {} });
    } finally {
      await served.stop();
    }
    // A checkpoint first, so a loaded copy starts without replaying the WAL.
    await db.exec("CHECKPOINT");
    const dump = Buffer.from(await (await db.dumpDataDir(COMPRESSION)).arrayBuffer());
    // Another process may build the same template at the same time: each writes
    // its own temporary file and renames it, so readers never see a partial one.
    await fs.promises.mkdir(CACHE_DIR, { recursive: true });
    const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    await fs.promises.writeFile(temp, dump);
    await fs.promises.rename(temp, file);
    await pruneOtherTemplates(file);
    return dump;
  } finally {
    await db.close();
  }
}

/** Each template is about 40 MB: drop the ones built for older migrations (readers of an unlinked file are unaffected). */
async function pruneOtherTemplates(keep: string): Promise<void> {
  for (const name of await fs.promises.readdir(CACHE_DIR)) {
    const file = path.join(CACHE_DIR, name);
    if (file === keep || !name.startsWith("pglite-template-")) continue;
    // A temporary file is another writer's work in progress unless it is old.
    if (name.endsWith(".tmp") && Date.now() - (await fs.promises.stat(file)).mtimeMs < 10 * 60_000) continue;
    await fs.promises.rm(file, { force: true });
  }
}

/** sha256 of every migration (path and bytes), the migration runner and the PGlite version. */
function templateKey(): string {
  const hash = createHash("sha256");
  const migrations = fs.existsSync(MIGRATIONS_DIR)
    ? fs
        .readdirSync(MIGRATIONS_DIR, { recursive: true, encoding: "utf8" })
        .filter((p) => path.basename(p) === "migration.sql")
        .map((p) => p.split(path.sep).join("/"))
        .sort()
    : [];
  for (const rel of migrations) {
    hash.update(`${rel}\0`).update(fs.readFileSync(path.join(MIGRATIONS_DIR, rel))).update("\0");
  }
  // The runner writes _prisma_migrations: a change to it must not reuse an old template.
  hash.update(fs.readFileSync(fileURLToPath(new URL("./migrate.ts", import.meta.url))));
  hash.update(`pglite@${pgliteVersion()}`);
  return hash.digest("hex");
}

function pgliteVersion(): string {
  // The package's exports hide package.json: walk up from its entry file.
  let dir = path.dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  for (;;) {
    const candidate = path.join(dir, "package.json");
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@electric-sql/pglite" && pkg.version) return pkg.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("Cannot find @electric-sql/pglite's package.json");
    dir = parent;
  }
}

/**
 * A fresh, migrated database: on the server of TEST_DATABASE_URL when set,
 * else an in-memory PGlite from the template. stop() drops or discards it.
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  // Test-only switch, read here rather than in lib/env.ts, which the app validates.
  const serverUrl = readEnv().TEST_DATABASE_URL;
  if (serverUrl) return createServerDatabase(serverUrl);
  return startEmbeddedPostgresFromDump({ dump: await prepareTemplate() });
}

async function createServerDatabase(serverUrl: string): Promise<TestDatabase> {
  const name = `botdesk_test_${randomBytes(6).toString("hex")}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  try {
    await applyMigrations({ connectionString: url.toString(), migrationsDir: MIGRATIONS_DIR, log: () => {} });
  } catch (err) {
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    url: url.toString(),
    stop: () => (stopping ??= adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
