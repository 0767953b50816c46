/**
 * Botdesk's database CLI: `npm run db -- <command>`.
 *
 *   deploy                           apply pending migrations to DATABASE_URL (like `prisma migrate deploy`)
 *   resolve --rolled-back <name>     mark a failed migration as rolled back, so deploy retries it
 *   resolve --applied <name>         record a migration as applied without running it
 *   migrate --name <name>            write the next migration: existing migrations → prisma/schema.prisma
 *   drift                            exit 1 and print the SQL if the migrations do not build schema.prisma
 *
 * `migrate` and `drift` need a throwaway database: a uniquely named one created
 * (and dropped) on the server of SHADOW_DATABASE_URL or DATABASE_URL, or else
 * a throwaway embedded PostgreSQL cluster. They use Prisma's WebAssembly schema engine, also where
 * Prisma's native engine is installed (it produces the same SQL).
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { applyMigrations, defaultMigrationsDir, resolveMigration } from "../lib/db/migrate";
import { schemaDrift } from "../lib/db/schema-engine";
import { openScratchServer } from "../lib/db/scratch-database";
import { readEnv } from "../lib/env";

const USAGE = `Usage: npm run db -- <command>
  deploy                          apply pending migrations to DATABASE_URL
  resolve --rolled-back <name>    mark a failed migration as rolled back
  resolve --applied <name>        record a migration as applied without running it
  migrate --name <name>           create prisma/migrations/<timestamp>_<name>/migration.sql from schema.prisma
  drift                           check that the migrations produce exactly schema.prisma`;

// A CLI run by hand or by CI, so it reads its own two variables.
const databaseUrl = () => readEnv().DATABASE_URL;
const scratchServerUrl = () => readEnv().SHADOW_DATABASE_URL ?? databaseUrl();


class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (rest.length > 0) throw new UsageError(`Unexpected argument: ${rest.join(" ")}`);

  switch (command) {
    case "deploy": {
      const { applied } = await applyMigrations({ connectionString: requireDatabaseUrl(), log: (l) => console.log(l) });
      if (applied.length > 0) console.log(`Applied: ${applied.join(", ")}`);
      return 0;
    }
    case "resolve": {
      const rolledBack = values["rolled-back"];
      const applied = values.applied;
      if ((rolledBack === undefined) === (applied === undefined)) throw new UsageError("resolve needs exactly one of --rolled-back <name> or --applied <name>");
      const name = (rolledBack ?? applied)!;
      await resolveMigration(requireDatabaseUrl(), name, rolledBack !== undefined ? "rolled-back" : "applied");
      console.log(`Migration \`${name}\` marked as ${rolledBack !== undefined ? "rolled back" : "applied"}.`);
      return 0;
    }
    case "migrate":
      return createMigration(values.name);
    case "drift": {
      const drift = await withScratchDatabase((url) => schemaDrift(url));
      if (drift === "") {
        console.log("No drift: the migrations produce exactly what prisma/schema.prisma describes.");
        return 0;
      }
      console.error("Drift: applying prisma/migrations to an empty database does not give prisma/schema.prisma. Missing SQL:\n");
      console.log(drift);
      return 1;
    }
    default:
      throw new UsageError(`Unknown command: ${command}`);
  }
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: "string" },
        "rolled-back": { type: "string" },
        applied: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function createMigration(rawName: string | undefined): Promise<number> {
  const name = (rawName ?? "").toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 200);
  if (!name) throw new UsageError("migrate needs --name <name> (letters, digits, underscores)");
  const dir = defaultMigrationsDir();
  const folder = `${timestamp(new Date())}_${name}`;
  // Folders run in name order: a new one must sort after every existing one.
  const existing = (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name);
  const last = existing.sort().at(-1);
  if (last && folder <= last) {
    throw new Error(`Refusing to create ${folder}: it would not sort after the existing migration ${last} (check the clock, or wait a second).`);
  }
  const sql = await withScratchDatabase((url) => schemaDrift(url));
  if (sql === "") {
    console.log("no changes: prisma/schema.prisma matches the existing migrations.");
    return 0;
  }
  const file = path.join(dir, folder, "migration.sql");
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, sql, { flag: "wx" });
  console.log(`Created ${path.relative(process.cwd(), file)}:\n\n${sql}`);
  return 0;
}

async function withScratchDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const server = await openScratchServer(scratchServerUrl());
  try {
    const db = await server.createDatabase().catch((e: Error) => {
      throw new Error(`${e.message}\n(The throwaway database is created on the server of ${readEnv().SHADOW_DATABASE_URL ? "SHADOW_DATABASE_URL" : "DATABASE_URL"}; unset both to use a throwaway embedded PostgreSQL.)`);
    });
    try {
      return await fn(db.url);
    } finally {
      await db.drop();
    }
  } finally {
    await server.close();
  }
}

function requireDatabaseUrl(): string {
  const url = databaseUrl();
  if (!url) throw new UsageError("DATABASE_URL is not set.");
  return url;
}

/** YYYYMMDDHHMMSS in UTC, as Prisma names migration folders. */
function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
