import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { applyMigrations } from "./migrate";
import { queryOnce } from "./query-once";
import { withSchemaEngine } from "./schema-engine";
import { scratchDatabases } from "../test-support/scratch";

// The runner against Prisma's own schema engine (its WebAssembly build, the
// same code as the native engine behind `prisma migrate deploy`): each must
// take the other's migration history as its own, and both refuse the same things.
const MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");
const SCHEMA_PATH = path.resolve(process.cwd(), "prisma/schema.prisma");
const NO_FILTERS = { externalTables: [], externalEnums: [] };
const IN_SYNC = { history: null, editedMigrationNames: [], failedMigrationNames: [], hasMigrationsTable: true };
const SLOW = 60_000;

const { withDatabase: withClient, tmp: tmpDir } = scratchDatabases("prisma-compat");
let schema: { path: string; content: string };

beforeAll(async () => {
  schema = { path: SCHEMA_PATH, content: await readFile(SCHEMA_PATH, "utf8") };
});

/**
 * The migrations list as Prisma 7's CLI builds it (node_modules/prisma/build/cli.js, the
 * function that reads migration_lock.toml): every sub-folder, its migration.sql read as
 * UTF-8 or the read error, sorted with localeCompare; the lock file's text or null.
 */
async function prismaMigrationList(baseDir: string): Promise<MigrationList> {
  const lockfile = { path: "migration_lock.toml", content: await readFile(path.join(baseDir, "migration_lock.toml"), "utf-8").catch(() => null) };
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories: MigrationList["migrationDirectories"] = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const content = await readFile(path.join(baseDir, entry.name, "migration.sql"), { encoding: "utf-8" })
      .then((value) => ({ tag: "ok" as const, value }))
      .catch((e: Error) => ({ tag: "error" as const, value: e.message }));
    migrationDirectories.push({ path: entry.name, migrationFile: { path: "migration.sql", content } });
  }
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return { baseDir, lockfile, migrationDirectories, shadowDbInitScript: "" };
}

function withPrisma<T>(url: string, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  return withSchemaEngine(url, fn, { schema });
}

async function prismaApply(url: string, dir: string): Promise<string[]> {
  const migrationsList = await prismaMigrationList(dir);
  return (await withPrisma(url, (engine) => engine.applyMigrations({ migrationsList, filters: NO_FILTERS }))).appliedMigrationNames;
}

async function prismaDiagnose(url: string, dir: string) {
  const migrationsList = await prismaMigrationList(dir);
  return withPrisma(url, (engine) => engine.diagnoseMigrationHistory({ migrationsList, optInToShadowDatabase: false, filters: NO_FILTERS }));
}

async function runnerApply(url: string, dir: string): Promise<{ applied: string[]; lines: string[] }> {
  const lines: string[] = [];
  const { applied } = await applyMigrations({ connectionString: url, migrationsDir: dir, log: (l) => lines.push(l) });
  return { applied, lines };
}

function withDatabase(fn: (url: string) => Promise<void>): Promise<void> {
  return withClient((_client, url) => fn(url));
}

async function sql(url: string, query: string): Promise<void> {
  await queryOnce(url, query);
}

/** A copy of prisma/migrations plus cases where ordering and line ends matter: byte order would run `_B` before `_a`. */
async function edgeCaseFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpDir(), "migrations-"));
  for (const name of await readdir(MIGRATIONS_DIR)) {
    const from = path.join(MIGRATIONS_DIR, name);
    if (name.endsWith(".toml")) await writeFile(path.join(dir, name), await readFile(from));
    else {
      await mkdir(path.join(dir, name));
      await writeFile(path.join(dir, name, "migration.sql"), await readFile(path.join(from, "migration.sql")));
    }
  }
  const add = async (name: string, script: string) => {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, "migration.sql"), script);
  };
  await add("29990101000000_a", "CREATE TABLE compat_order (step int);\r\nCOMMENT ON TABLE compat_order IS 'CRLF line ends';\r\n");
  await add("29990101000000_B", "ALTER TABLE compat_order ADD COLUMN b int;\n");
  return dir;
}

const warnings = (lines: string[]) => lines.filter((l) => l.startsWith("Warning"));

describe("Prisma's schema engine and Botdesk's runner", () => {
  it("Prisma finds the runner's history of prisma/migrations in sync, with nothing left to apply", async () => {
    await withDatabase(async (url) => {
      expect((await runnerApply(url, MIGRATIONS_DIR)).applied.length).toBeGreaterThan(0);
      expect(await prismaDiagnose(url, MIGRATIONS_DIR)).toEqual(IN_SYNC);
      expect(await prismaApply(url, MIGRATIONS_DIR)).toEqual([]);
    });
  }, SLOW);

  it("the runner finds Prisma's history of prisma/migrations in sync: nothing to apply, no warning", async () => {
    await withDatabase(async (url) => {
      const applied = await prismaApply(url, MIGRATIONS_DIR);
      expect(applied).toEqual((await prismaMigrationList(MIGRATIONS_DIR)).migrationDirectories.map((d) => d.path));
      expect(await runnerApply(url, MIGRATIONS_DIR)).toEqual({ applied: [], lines: ["No pending migrations to apply."] });
    });
  }, SLOW);

  it("agree on order and line ends: each takes the other's history, and both see a CRLF checkout as unchanged", async () => {
    const dir = await edgeCaseFolder();
    const folders = (await prismaMigrationList(dir)).migrationDirectories.map((d) => d.path);
    expect(folders.slice(-2)).toEqual(["29990101000000_a", "29990101000000_B"]);
    const flipLineEnds = async () => {
      for (const name of folders) {
        const file = path.join(dir, name, "migration.sql");
        const script = await readFile(file, "utf8");
        await writeFile(file, script.includes("\r\n") ? script.replaceAll("\r\n", "\n") : script.replaceAll("\n", "\r\n"));
      }
    };

    await withDatabase(async (url) => {
      expect((await runnerApply(url, dir)).applied).toEqual(folders);
      expect(await prismaDiagnose(url, dir)).toEqual(IN_SYNC);
      expect(await prismaApply(url, dir)).toEqual([]);
    });
    await withDatabase(async (url) => {
      expect(await prismaApply(url, dir)).toEqual(folders);
      expect(await runnerApply(url, dir)).toEqual({ applied: [], lines: ["No pending migrations to apply."] });

      await flipLineEnds();
      expect(await prismaDiagnose(url, dir)).toEqual(IN_SYNC);
      expect(warnings((await runnerApply(url, dir)).lines)).toEqual([]);

      await writeFile(path.join(dir, "29990101000000_B", "migration.sql"), "ALTER TABLE compat_order ADD COLUMN b bigint;\n");
      expect((await prismaDiagnose(url, dir)).editedMigrationNames).toEqual(["29990101000000_B"]);
      expect(warnings((await runnerApply(url, dir)).lines)).toEqual([expect.stringMatching(/^Warning: migration `29990101000000_B` was modified/)]);
    });
  }, SLOW);

  describe("refuse the same things", () => {
    const refusals = async (url: string, dir: string) => {
      const prisma = await prismaApply(url, dir).then(
        () => "applied",
        (e: Error & { code?: string }) => `${e.code}: ${e.message}`,
      );
      const runner = await runnerApply(url, dir).then(
        () => "applied",
        (e: Error) => e.message,
      );
      return { prisma, runner };
    };

    it("a database with tables but no _prisma_migrations (P3005)", async () => {
      await withDatabase(async (url) => {
        await sql(url, "CREATE TABLE somebody_elses (id int)");
        const { prisma, runner } = await refusals(url, MIGRATIONS_DIR);
        expect(prisma).toMatch(/^P3005: The database schema is not empty\./);
        expect(runner).toMatch(/^The database schema is not empty\./);
      });
    }, SLOW);

    it("a migration_lock.toml for another provider (P3019)", async () => {
      const dir = await edgeCaseFolder();
      await writeFile(path.join(dir, "migration_lock.toml"), 'provider = "sqlite"\n');
      await withDatabase(async (url) => {
        const { prisma, runner } = await refusals(url, dir);
        expect(prisma).toMatch(/^P3019: /);
        expect(prisma).toBe(`P3019: ${runner}`);
      });
    }, SLOW);

    it("a migration folder without migration.sql (P3015)", async () => {
      const dir = await edgeCaseFolder();
      await rm(path.join(dir, "29990101000000_B", "migration.sql"));
      await withDatabase(async (url) => {
        const { prisma, runner } = await refusals(url, dir);
        // Prisma names the file relative to its folder, and applies the folders before it first;
        // the runner gives the whole path and applies nothing.
        expect(prisma).toBe("P3015: Could not find the migration file at migration.sql. Please delete the directory or restore the migration file.");
        expect(runner).toBe(`Could not find the migration file at ${path.join(dir, "29990101000000_B", "migration.sql")}. Please delete the directory or restore the migration file.`);
      });
    }, SLOW);
  });
});
