import { randomUUID } from "node:crypto";
import pg from "pg";
import { defaultMigrationsDir, matchesChecksum, readMigrations, type LocalMigration } from "./migration-files";

/**
 * Botdesk's migration runner: `prisma migrate deploy` without Prisma's native
 * schema engine. It reads and writes `_prisma_migrations` exactly as Prisma
 * does, so Prisma's own CLI can take over on machines that have the engine.
 * Reading the migrations folder is in migration-files.ts.
 */

export { defaultMigrationsDir, matchesChecksum, readMigrations, type LocalMigration };

/** The key Prisma's schema engine passes to `pg_advisory_lock`. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;
const LOCK_TIMEOUT_MS = 10_000; // Prisma gives up after 10 s as well.

// Prisma's own definition, copied from its PostgreSQL connector.
export const CREATE_MIGRATIONS_TABLE = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  started_at: Date;
}

export interface ApplyMigrationsOptions {
  connectionString: string;
  /** Defaults to prisma/migrations under process.cwd(). */
  migrationsDir?: string;
  log?: (line: string) => void;
}

/**
 * Applies every migration folder not yet recorded as finished, in Prisma's order,
 * each script as one multi-statement query (atomic on PostgreSQL). Refuses a
 * non-empty database without migration history, and refuses to run while a
 * failed migration is recorded. Holds Prisma's advisory lock
 * throughout, so it never races Prisma or another Botdesk instance.
 */
export async function applyMigrations(opts: ApplyMigrationsOptions): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => {});
  const local = await readMigrations(opts.migrationsDir ?? defaultMigrationsDir());
  return withLockedClient(opts.connectionString, async (client) => {
    await initializeMigrationsTable(client, local[0]?.name);
    const rows = await readRows(client);

    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) throw new Error(failedMigrationMessage(failed));

    const applied = new Map<string, MigrationRow>();
    for (const row of rows) if (row.finished_at !== null && row.rolled_back_at === null) applied.set(row.migration_name, row);
    const localNames = new Set(local.map((m) => m.name));
    for (const m of local) {
      const row = applied.get(m.name);
      if (row && !matchesChecksum(m.script, row.checksum)) {
        log(`Warning: migration \`${m.name}\` was modified after it was applied (checksum differs from the database's record).`);
      }
    }
    for (const name of applied.keys()) {
      if (!localNames.has(name)) log(`Warning: migration \`${name}\` is recorded in the database but missing from the migrations folder.`);
    }

    const pending = local.filter((m) => !applied.has(m.name));
    if (pending.length === 0) {
      log("No pending migrations to apply.");
      return { applied: [] };
    }
    const done: string[] = [];
    for (const m of pending) {
      log(`Applying migration \`${m.name}\``);
      await applyOne(client, m);
      done.push(m.name);
    }
    log(`Applied ${done.length} migration${done.length === 1 ? "" : "s"}.`);
    return { applied: done };
  });
}

async function applyOne(client: pg.Client, m: LocalMigration): Promise<void> {
  const id = randomUUID();
  // Recorded before the script runs, as Prisma does: a crash mid-way leaves a failed row behind.
  await client.query("INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ($1, $2, $3)", [
    id,
    m.checksum,
    m.name,
  ]);
  try {
    // No parameters, so pg uses the simple query protocol: the whole script is one
    // implicit transaction, and `;` inside strings or function bodies is safe.
    await client.query(m.script);
  } catch (e) {
    // A script with its own BEGIN leaves an aborted transaction open; ROLLBACK is a no-op otherwise.
    await client.query("ROLLBACK").catch(() => {});
    await client.query("UPDATE _prisma_migrations SET logs = $2 WHERE id = $1", [id, describeDbError(e)]);
    throw new Error(`Migration \`${m.name}\` failed: ${(e as Error).message}`, { cause: e });
  }
  await client.query("UPDATE _prisma_migrations SET finished_at = now(), applied_steps_count = 1 WHERE id = $1", [id]);
}

/**
 * Mirrors `prisma migrate resolve`. `rolled-back` marks a failed migration as
 * rolled back (fix or revert what it did first), so deploy runs it again;
 * `applied` records a migration as applied without running it (after applying
 * its changes by hand).
 */
export async function resolveMigration(
  connectionString: string,
  name: string,
  as: "rolled-back" | "applied",
  opts: { migrationsDir?: string } = {},
): Promise<void> {
  const local = as === "applied" ? await readMigrations(opts.migrationsDir ?? defaultMigrationsDir()) : [];
  await withLockedClient(connectionString, async (client) => {
    await ensureMigrationsTable(client);
    const rows = (await readRows(client)).filter((r) => r.migration_name === name);
    const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
    if (as === "rolled-back") {
      if (rows.length === 0) throw new Error(`Migration \`${name}\` cannot be rolled back because it was never applied to the database.`);
      if (failed.length === 0) throw new Error(`Migration \`${name}\` cannot be rolled back because it is not in a failed state.`);
      await client.query("UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL", [name]);
      return;
    }
    const m = local.find((l) => l.name === name);
    if (!m) throw new Error(`Migration \`${name}\` could not be found in the migrations folder.`);
    if (rows.some((r) => r.finished_at !== null && r.rolled_back_at === null)) {
      throw new Error(`Migration \`${name}\` is already recorded as applied in the database.`);
    }
    // As Prisma does: the failed attempt stays as a rolled-back row, and a new row records the migration as applied.
    await client.query("UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL", [name]);
    await client.query(
      "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count) VALUES ($1, $2, $3, now(), now(), 0)",
      [randomUUID(), m.checksum, name],
    );
  });
}

async function withLockedClient<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await acquireLock(client);
    try {
      return await fn(client);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end();
  }
}

async function acquireLock(client: pg.Client): Promise<void> {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [PRISMA_ADVISORY_LOCK_KEY]);
    if (rows[0]?.ok) return;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${LOCK_TIMEOUT_MS / 1000} s waiting for the migration lock (pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})): another process is migrating this database.`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function hasMigrationsTable(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ exists: boolean }>("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists");
  return rows[0]?.exists ?? false;
}

/** For `resolve`: baselining an existing schema starts its history, as Prisma's `migrate resolve` does. */
async function ensureMigrationsTable(client: pg.Client): Promise<void> {
  if (!(await hasMigrationsTable(client))) await client.query(CREATE_MIGRATIONS_TABLE);
}

/**
 * For deploy: a schema that already holds objects but no migration history is
 * not Botdesk's to migrate (Prisma's P3005); most likely DATABASE_URL names the
 * wrong database. Stricter than Prisma, which counts tables only. Objects that
 * belong to an extension (PostGIS's tables, say) do not count.
 */
async function initializeMigrationsTable(client: pg.Client, firstMigration = "<first migration>"): Promise<void> {
  if (await hasMigrationsTable(client)) return;
  const { rows } = await client.query<{ kind: string; name: string; db: string; schema: string }>(SCHEMA_OBJECTS);
  if (rows.length > 0) {
    const { db, schema } = rows[0]!;
    const found = rows.slice(0, 5).map((r) => `${r.kind} "${r.name}"`).join(", ") + (rows.length > 5 ? `, and ${rows.length - 5} more` : "");
    throw new Error(
      [
        `The database schema is not empty. Schema "${schema}" of database "${db}" holds ${found}, but no _prisma_migrations table, so Botdesk will not apply its migrations on top of it: check that DATABASE_URL names the right database.`,
        `If this is Botdesk's database, created without migration history, baseline it (https://pris.ly/d/migrate-baseline): record each migration whose changes it already has, then deploy again, e.g.`,
        `  npm run db -- resolve --applied ${firstMigration}`,
      ].join("\n"),
    );
  }
  await client.query(CREATE_MIGRATIONS_TABLE);
}

// What makes a schema non-empty: tables, views, materialized views, sequences and enum types.
const SCHEMA_OBJECTS = `
  WITH objects AS (
    SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE 'table' END AS kind,
           c.relname::text AS name
      FROM pg_class c
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
       AND c.relname <> '_prisma_migrations'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 'enum type', t.typname::text
      FROM pg_type t
     WHERE t.typnamespace = current_schema()::regnamespace AND t.typtype = 'e'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
  )
  SELECT kind, name, current_database()::text AS db, current_schema()::text AS schema FROM objects ORDER BY name, kind`;

async function readRows(client: pg.Client): Promise<MigrationRow[]> {
  const { rows } = await client.query<MigrationRow>(
    "SELECT id, checksum, migration_name, finished_at, rolled_back_at, started_at FROM _prisma_migrations ORDER BY started_at, migration_name",
  );
  return rows;
}

function failedMigrationMessage(row: MigrationRow): string {
  return [
    `Found a failed migration in the database: \`${row.migration_name}\` (started at ${row.started_at.toISOString()}) did not finish. New migrations will not be applied.`,
    `Its error is in the \`logs\` column of _prisma_migrations. Undo whatever part of it took effect (if any), fix the migration, then run:`,
    `  npm run db -- resolve --rolled-back ${row.migration_name}`,
    `or, if you completed its changes by hand: npm run db -- resolve --applied ${row.migration_name}`,
  ].join("\n");
}

function describeDbError(e: unknown): string {
  const err = e as Partial<pg.DatabaseError> & Error;
  const lines = [];
  if (err.code) lines.push(`Database error code: ${err.code}`, "");
  lines.push("Database error:", err.message ?? String(e));
  if (err.detail) lines.push(`DETAIL: ${err.detail}`);
  if (err.hint) lines.push(`HINT: ${err.hint}`);
  if (err.where) lines.push(`CONTEXT: ${err.where}`);
  if (err.position) lines.push(`Position: ${err.position}`);
  return lines.join("\n");
}
