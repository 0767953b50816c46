import { createHash } from "node:crypto";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { applyMigrations, resolveMigration } from "./migrate";
import { schemaDrift } from "./schema-engine";
import { scratchDatabases } from "../test-support/scratch";

// Scratch databases: fresh, uniquely named ones on the run's PostgreSQL server.
const MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");
const SCHEMA_PATH = path.resolve(process.cwd(), "prisma/schema.prisma");
const SLOW = 60_000;

const { withDatabase, tmp } = scratchDatabases("migrations");

async function tableExists(client: pg.Client, name: string): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [name]);
  return rows[0]!.ok;
}

async function writeMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(path.join(dir, name), { recursive: true });
  await writeFile(path.join(dir, name, "migration.sql"), sql);
}

describe("applyMigrations", () => {
  it("applies each migration once and records it as Prisma does", async () => {
    const folders = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort((a, b) => a.localeCompare(b));
    expect(folders.length).toBeGreaterThan(0);

    await withDatabase(async (client, url) => {
      expect((await applyMigrations({ connectionString: url, migrationsDir: MIGRATIONS_DIR })).applied).toEqual(folders);
      expect((await applyMigrations({ connectionString: url, migrationsDir: MIGRATIONS_DIR })).applied).toEqual([]);

      const { rows } = await client.query("SELECT * FROM _prisma_migrations ORDER BY migration_name");
      expect(rows.map((r) => r.migration_name)).toEqual(folders);
      for (const row of rows) {
        const bytes = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, "migration.sql"));
        expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(row.checksum).toBe(createHash("sha256").update(bytes).digest("hex"));
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.applied_steps_count).toBe(1);
        expect(row.rolled_back_at).toBeNull();
        expect(row.logs).toBeNull();
      }
      const { rows: columns } = await client.query(
        `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
           FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      );
      expect(columns.map((c) => `${c.column_name} ${c.data_type}${c.len ? `(${c.len})` : ""} ${c.is_nullable} ${c.column_default ?? ""}`.trim())).toEqual([
        "id character varying(36) NO",
        "checksum character varying(64) NO",
        "finished_at timestamp with time zone YES",
        "migration_name character varying(255) NO",
        "logs text YES",
        "rolled_back_at timestamp with time zone YES",
        "started_at timestamp with time zone NO now()",
        "applied_steps_count integer NO 0",
      ]);
    });
  }, SLOW);

  it("rolls a failed migration back whole, records it, and refuses to go on until it is resolved", async () => {
    const dir = path.join(tmp(), "failing");
    await writeMigration(dir, "20260101000000_good", "CREATE TABLE good_table (id int);");
    await writeMigration(dir, "20260102000000_bad", "CREATE TABLE bad_leftover (id int);\nINSERT INTO no_such_table VALUES (1);");

    await withDatabase(async (client, url) => {
      await expect(applyMigrations({ connectionString: url, migrationsDir: dir })).rejects.toThrow(
        /20260102000000_bad.*relation "no_such_table" does not exist/,
      );
      expect(await tableExists(client, "good_table")).toBe(true);
      expect(await tableExists(client, "bad_leftover")).toBe(false);
      const { rows } = await client.query("SELECT * FROM _prisma_migrations WHERE migration_name = '20260102000000_bad'");
      expect(rows).toHaveLength(1);
      expect(rows[0].finished_at).toBeNull();
      expect(rows[0].applied_steps_count).toBe(0);
      expect(rows[0].logs).toContain('relation "no_such_table" does not exist');

      // Even a fixed script is not run while the failure is on record.
      await writeMigration(dir, "20260102000000_bad", "CREATE TABLE bad_leftover (id int);");
      const refused = applyMigrations({ connectionString: url, migrationsDir: dir });
      await expect(refused).rejects.toThrow(/20260102000000_bad/);
      await expect(refused).rejects.toThrow(/resolve --rolled-back 20260102000000_bad/);
      expect(await tableExists(client, "bad_leftover")).toBe(false);

      await resolveMigration(url, "20260102000000_bad", "rolled-back");
      expect((await applyMigrations({ connectionString: url, migrationsDir: dir })).applied).toEqual(["20260102000000_bad"]);
      expect(await tableExists(client, "bad_leftover")).toBe(true);

      // `resolve --applied` records a migration without running it.
      await writeMigration(dir, "20260104000000_by_hand", "CREATE TABLE never_run (id int);");
      await resolveMigration(url, "20260104000000_by_hand", "applied", { migrationsDir: dir });
      expect((await applyMigrations({ connectionString: url, migrationsDir: dir })).applied).toEqual([]);
      expect(await tableExists(client, "never_run")).toBe(false);

      // Editing an applied migration is reported, not silently ignored.
      await writeMigration(dir, "20260101000000_good", "CREATE TABLE good_table (id bigint);");
      const lines: string[] = [];
      await applyMigrations({ connectionString: url, migrationsDir: dir, log: (l) => lines.push(l) });
      expect(lines.join("\n")).toMatch(/20260101000000_good.*modified/);
    });
  }, SLOW);
});

describe("schemaDrift", () => {
  it("finds none between prisma/migrations and prisma/schema.prisma", async () => {
    await withDatabase(async (_client, url) => {
      expect(await schemaDrift(url, { migrationsDir: MIGRATIONS_DIR, schemaPath: SCHEMA_PATH })).toBe("");
    });
  }, SLOW);

  it("reports the SQL a schema change still needs", async () => {
    const schema = await readFile(SCHEMA_PATH, "utf8");
    const changed = schema.replace(/(model Principal \{\n)/, "$1  nickname String?\n");
    expect(changed).not.toBe(schema);
    const changedPath = path.join(tmp(), "schema.prisma");
    await writeFile(changedPath, changed);
    await withDatabase(async (_client, url) => {
      const drift = await schemaDrift(url, { migrationsDir: MIGRATIONS_DIR, schemaPath: changedPath });
      expect(drift).toMatch(/ALTER TABLE "principals" ADD COLUMN\s+"nickname" TEXT/);
    });
  }, SLOW);
});

describe("the hand-written rules in the migrations", () => {
  it("keep bots in their account and people without one", async () => {
    await withDatabase(async (client, url) => {
      await applyMigrations({ connectionString: url, migrationsDir: MIGRATIONS_DIR });
      await client.query("INSERT INTO accounts (id, name, seat_limit) VALUES ('ac_1', 'One', 5), ('ac_2', 'Two', 5)");
      const addBot = (id: string, accountId: string | null, email: string | null = null) =>
        client.query("INSERT INTO principals (id, kind, name, name_key, account_id, email) VALUES ($1, 'bot', $1, $1, $2, $3)", [id, accountId, email]);

      await addBot("bot_ok", "ac_1");
      await expect(addBot("bot_orphan", null)).rejects.toThrow(/principals_bot_check/);
      await expect(addBot("bot_mail", "ac_1", "bot@example.com")).rejects.toThrow(/principals_bot_check/);
      await expect(client.query("UPDATE principals SET account_id = 'ac_2' WHERE id = 'bot_ok'")).rejects.toThrow(
        /a bot belongs to one account for life/,
      );
      await client.query("UPDATE principals SET name = 'renamed' WHERE id = 'bot_ok'"); // other changes still work

      await client.query("INSERT INTO principals (id, kind, name, email) VALUES ('usr_1', 'person', 'P', 'p@example.com')");
      await expect(client.query("UPDATE principals SET kind = 'bot', account_id = 'ac_1', email = NULL WHERE id = 'usr_1'")).rejects.toThrow(
        /never changes kind/,
      );
      await expect(
        client.query("INSERT INTO principals (id, kind, name, email, name_key) VALUES ('usr_2', 'person', 'Q', 'q@example.com', 'q')"),
      ).rejects.toThrow(/principals_person_name_key_check/);
      await expect(client.query("INSERT INTO principals (id, kind, name) VALUES ('usr_3', 'person', 'R')")).rejects.toThrow(
        /principals_person_check/,
      );
    });
  }, SLOW);
});
