import pg from "pg";
import { CREATE_MIGRATIONS_TABLE } from "./migrate";
import { matchesChecksum, readMigrations } from "./migration-files";

/**
 * Moves the data of Botdesk's old embedded database (PGlite, `<data dir>/pg`)
 * into an empty PostgreSQL database, once: the same migrations the old
 * database had are applied, every row of every table is copied, and each
 * table's row count is compared. It all happens in one transaction, so a
 * failure leaves the target empty. The old directory is only read.
 *
 * PGlite is loaded for this alone (a PGlite directory is PostgreSQL 17 in
 * WebAssembly's own format: only PGlite can read it).
 */
export async function importPGliteDirectory(pgliteDir: string, targetUrl: string): Promise<{ tables: number; rows: number }> {
  const { PGlite } = await import("@electric-sql/pglite");
  const old = await PGlite.create({ dataDir: pgliteDir });
  const target = new pg.Client({ connectionString: targetUrl });
  await target.connect();
  try {
    const applied = await old.query<{ migration_name: string; checksum: string }>(
      `SELECT migration_name, checksum FROM _prisma_migrations
       WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY started_at, migration_name`,
    );
    const local = new Map((await readMigrations()).map((m) => [m.name, m]));
    await target.query("BEGIN");
    await target.query(CREATE_MIGRATIONS_TABLE);
    for (const { migration_name: name, checksum } of applied.rows) {
      const m = local.get(name);
      if (!m || !matchesChecksum(m.script, checksum)) {
        throw new Error(`The old database was migrated with \`${name}\`, which this version of Botdesk ${m ? "has in a different form" : "does not have"}; start it with the Botdesk version that created it.`);
      }
      await target.query(m.script);
    }

    const tables = (await old.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).rows.map((r) => r.name);
    // Rows go in as they were: no triggers (append-only and owner-pinning rules) and no foreign-key ordering.
    await target.query("SET LOCAL session_replication_role = replica");
    await target.query("DELETE FROM _prisma_migrations");
    let total = 0;
    for (const table of tables) {
      const columns = (
        await target.query<{ name: string }>(
          `SELECT column_name AS name FROM information_schema.columns
           WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
          [table],
        )
      ).rows.map((r) => quote(r.name));
      if (columns.length === 0) throw new Error(`Table ${table} of the old database does not exist in the new one.`);
      const list = columns.join(", ");
      total += await copyTable(old, target, quote(table), list);
      const [before, after] = [
        Number((await old.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quote(table)}`)).rows[0]!.n),
        Number((await target.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quote(table)}`)).rows[0]!.n),
      ];
      if (before !== after) throw new Error(`Copying ${table} gave ${after} rows instead of ${before}.`);
    }
    await copySequences(old, target);
    await target.query("COMMIT");
    return { tables: tables.length, rows: total };
  } catch (err) {
    await target.query("ROLLBACK").catch(() => {});
    throw new Error(`Moving the old PGlite data failed, and nothing was changed (${(err as Error).message}).`, { cause: err });
  } finally {
    await target.end().catch(() => {});
    await old.close();
  }
}

type PGliteLike = {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  transaction<T>(fn: (tx: { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>): Promise<T>;
};

const BATCH = 5_000;

/** Copies a table in batches through a cursor, each batch as one JSON array (types round-trip through their text forms). */
async function copyTable(old: PGliteLike, target: pg.Client, table: string, columns: string): Promise<number> {
  return old.transaction(async (tx) => {
    await tx.query(`DECLARE botdesk_copy NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${table} t`);
    let copied = 0;
    for (;;) {
      const batch = (await tx.query<{ j: string }>(`FETCH ${BATCH} FROM botdesk_copy`)).rows;
      if (batch.length === 0) break;
      await target.query(
        `INSERT INTO ${table} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM json_populate_recordset(NULL::${table}, $1::json)`,
        [`[${batch.map((r) => r.j).join(",")}]`],
      );
      copied += batch.length;
    }
    await tx.query("CLOSE botdesk_copy");
    return copied;
  });
}

async function copySequences(old: PGliteLike, target: pg.Client): Promise<void> {
  const sequences = (await old.query<{ name: string }>(`SELECT sequencename AS name FROM pg_sequences WHERE schemaname = 'public'`)).rows;
  for (const { name } of sequences) {
    const state = (await old.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${quote(name)}`)).rows[0]!;
    await target.query(`SELECT setval($1, $2::bigint, $3)`, [quote(name), state.last_value, state.is_called]);
  }
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
