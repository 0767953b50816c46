import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { applyMigrations, readMigrations, resolveMigration } from "./migrate";
import { scratchDatabases } from "../test-support/scratch";

// The rules `prisma migrate deploy` follows that the runner must follow too,
// each checked here on the runner alone (prisma-compat.test.ts runs Prisma's
// own engine against it).
const SLOW = 60_000;

const { withDatabase, tmp } = scratchDatabases("migration-rules");
let folders = 0;

/** A new migrations folder holding `migrations` (name → migration.sql), and `lock` as migration_lock.toml if given. */
async function migrationsFolder(migrations: Record<string, string>, lock?: string): Promise<string> {
  const dir = path.join(tmp(), `migrations_${++folders}`);
  await mkdir(dir, { recursive: true });
  for (const [name, sql] of Object.entries(migrations)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), sql);
  }
  if (lock !== undefined) await writeFile(path.join(dir, "migration_lock.toml"), lock);
  return dir;
}

async function relationExists(client: pg.Client, name: string): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [name]);
  return rows[0]!.ok;
}

async function deploy(url: string, dir: string): Promise<{ applied: string[]; lines: string[] }> {
  const lines: string[] = [];
  const { applied } = await applyMigrations({ connectionString: url, migrationsDir: dir, log: (l) => lines.push(l) });
  return { applied, lines };
}

describe("a database that has a schema but no migration history (Prisma's P3005)", () => {
  const kinds: [string, string][] = [
    ["a table", "CREATE TABLE customers (id int)"],
    ["a view", "CREATE VIEW customers AS SELECT 1 AS id"],
    ["a materialized view", "CREATE MATERIALIZED VIEW customers AS SELECT 1 AS id"],
    ["a sequence", "CREATE SEQUENCE customers"],
    ["an enum type", "CREATE TYPE customers AS ENUM ('a')"],
  ];
  it.each(kinds)("is refused when it holds %s, and nothing is written to it", async (_kind, ddl) => {
    const dir = await migrationsFolder({ "20260101000000_init": "CREATE TABLE botdesk_things (id int);" });
    await withDatabase(async (client, url) => {
      await client.query(ddl);
      const refused = deploy(url, dir);
      await expect(refused).rejects.toThrow(/^The database schema is not empty\./);
      await expect(refused).rejects.toThrow(/"customers"/);
      await expect(refused).rejects.toThrow(/npm run db -- resolve --applied 20260101000000_init/);
      expect(await relationExists(client, "botdesk_things")).toBe(false);
      expect(await relationExists(client, "_prisma_migrations")).toBe(false);
    });
  }, SLOW);

  it("can be baselined: migrations recorded as applied are skipped, later ones run", async () => {
    const dir = await migrationsFolder({
      "20260101000000_init": "CREATE TABLE customers (id int);",
      "20260102000000_more": "ALTER TABLE customers ADD COLUMN name text;",
    });
    await withDatabase(async (client, url) => {
      await client.query("CREATE TABLE customers (id int)"); // what 20260101000000_init would have made
      await expect(deploy(url, dir)).rejects.toThrow(/not empty/);
      await resolveMigration(url, "20260101000000_init", "applied", { migrationsDir: dir });
      expect((await deploy(url, dir)).applied).toEqual(["20260102000000_more"]);
      expect((await client.query("SELECT name FROM customers")).fields.map((f) => f.name)).toEqual(["name"]);
    });
  }, SLOW);

  it("does not count objects that belong to an extension (as Prisma ignores PostGIS's tables)", async () => {
    const dir = await migrationsFolder({ "20260101000000_init": "CREATE TABLE botdesk_things (id int);" });
    await withDatabase(async (client, url) => {
      // plpgsql is the one extension every database has; a table made its member stands for an extension's own table.
      await client.query("CREATE TABLE extension_owned (id int); ALTER EXTENSION plpgsql ADD TABLE extension_owned");
      expect((await deploy(url, dir)).applied).toEqual(["20260101000000_init"]);
    });
  }, SLOW);

  it("does not count functions, which are not part of what makes a schema non-empty", async () => {
    const dir = await migrationsFolder({ "20260101000000_init": "CREATE TABLE botdesk_things (id int);" });
    await withDatabase(async (client, url) => {
      await client.query("CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 42'");
      expect((await deploy(url, dir)).applied).toEqual(["20260101000000_init"]);
    });
  }, SLOW);
});

describe("the migrations folder", () => {
  it("refuses a migration folder without migration.sql before applying anything", async () => {
    const dir = await migrationsFolder({ "20260101000000_first": "CREATE TABLE first_table (id int);" });
    await mkdir(path.join(dir, "20260102000000_no_sql"));
    const missing = path.join(dir, "20260102000000_no_sql", "migration.sql");
    await withDatabase(async (client, url) => {
      await expect(deploy(url, dir)).rejects.toThrow(
        `Could not find the migration file at ${missing}. Please delete the directory or restore the migration file.`,
      );
      expect(await relationExists(client, "first_table")).toBe(false);
    });
  }, SLOW);

  it("orders folders as Prisma 7 does (localeCompare), not by bytes", async () => {
    // Byte order puts "B" (0x42) before "a" (0x61) and digits before "_"; localeCompare the other way round.
    const names = ["20260101000000_B", "20260101000000_a", "2026010100000_late", "2026_early"];
    const prismaOrder = [...names].sort((a, b) => a.localeCompare(b));
    expect(prismaOrder).not.toEqual([...names].sort());
    const dir = await migrationsFolder({
      "20260101000000_a": "CREATE TABLE ordered (step int);",
      "20260101000000_B": "ALTER TABLE ordered ADD COLUMN b int;", // only works after _a
      "2026_early": "CREATE TABLE early (id int);",
      "2026010100000_late": "SELECT 1;",
    });
    expect((await readMigrations(dir)).map((m) => m.name)).toEqual(prismaOrder);
    await withDatabase(async (_client, url) => {
      expect((await deploy(url, dir)).applied).toEqual(prismaOrder);
    });
  }, SLOW);

  it("refuses a migration_lock.toml for another provider, with Prisma's words (P3019)", async () => {
    for (const [lock, found] of [
      ['provider = "mysql"\n', "mysql"],
      ["# no provider line\n", "<PROVIDER NOT FOUND>"],
    ]) {
      const dir = await migrationsFolder({ "20260101000000_init": "CREATE TABLE locked (id int);" }, lock);
      await withDatabase(async (client, url) => {
        await expect(deploy(url, dir)).rejects.toThrow(
          `The datasource provider \`postgresql\` specified in your schema does not match the one specified in the migration_lock.toml, \`${found}\`.`,
        );
        expect(await relationExists(client, "locked")).toBe(false);
      });
    }
  }, SLOW);

  it("accepts Prisma's own lock file, also with CRLF line ends, and no lock file at all", async () => {
    const lock = await readFile(path.resolve(process.cwd(), "prisma/migrations/migration_lock.toml"), "utf8");
    for (const l of [lock, lock.replaceAll("\n", "\r\n"), undefined]) {
      const dir = await migrationsFolder({ "20260101000000_init": "CREATE TABLE locked (id int);" }, l);
      await withDatabase(async (_client, url) => {
        expect((await deploy(url, dir)).applied).toEqual(["20260101000000_init"]);
      });
    }
  }, SLOW);
});

describe("checksums of applied migrations", () => {
  const lf = "CREATE TABLE lines (id int);\nINSERT INTO lines VALUES (1);\n";
  const crlf = lf.replaceAll("\n", "\r\n");

  it.each([
    ["LF", "CRLF", lf, crlf],
    ["CRLF", "LF", crlf, lf],
  ])("match when a migration applied with %s line ends is checked out with %s", async (_from, _to, applied, checkedOut) => {
    const dir = await migrationsFolder({ "20260101000000_lines": applied });
    await withDatabase(async (_client, url) => {
      await deploy(url, dir);
      await writeFile(path.join(dir, "20260101000000_lines", "migration.sql"), checkedOut);
      const { applied: again, lines } = await deploy(url, dir);
      expect(again).toEqual([]);
      expect(lines.filter((l) => l.startsWith("Warning"))).toEqual([]);

      // A real edit is still reported.
      await writeFile(path.join(dir, "20260101000000_lines", "migration.sql"), checkedOut.replace("(1)", "(2)"));
      expect((await deploy(url, dir)).lines.join("\n")).toMatch(/20260101000000_lines.*modified/);
    });
  }, SLOW);

  it("match the unpadded hex that old Prisma engines recorded", async () => {
    const script = "SELECT 1;\n";
    const digest = createHash("sha256").update(script).digest();
    const unpadded = [...digest].map((b) => b.toString(16)).join("");
    expect(unpadded.length).toBeLessThan(64); // this script's digest has bytes below 0x10
    const dir = await migrationsFolder({ "20260101000000_old": script });
    await withDatabase(async (client, url) => {
      await deploy(url, dir);
      await client.query("UPDATE _prisma_migrations SET checksum = $1", [unpadded]);
      expect((await deploy(url, dir)).lines.filter((l) => l.startsWith("Warning"))).toEqual([]);
    });
  }, SLOW);
});
