import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** The migrations folder as Prisma 7 reads it: order, files, lock file and checksums. */

export interface LocalMigration {
  /** The folder's name, e.g. `20261128000000_init`. */
  name: string;
  script: string;
  /** sha256 hex of migration.sql's text (read as UTF-8), as Prisma records it. */
  checksum: string;
}

export function defaultMigrationsDir(): string {
  // Read at run time (readiness), not a folder for the build to trace.
  return path.resolve(/*turbopackIgnore: true*/ process.cwd(), "prisma/migrations");
}

/**
 * Prisma's test of a recorded checksum: it may be of the script as it is, with
 * CRLF turned into LF or LF into CRLF (git rewrites line ends on checkout), and
 * old engines wrote it without zero-padding each byte.
 */
export function matchesChecksum(script: string, recorded: string): boolean {
  return [script, script.replaceAll("\r\n", "\n"), script.replaceAll("\n", "\r\n")].some((variant) => {
    const digest = createHash("sha256").update(variant, "utf8").digest();
    const hex = recorded.length !== 0 && recorded.length !== 64 ? [...digest].map((b) => b.toString(16)).join("") : digest.toString("hex");
    return hex === recorded;
  });
}

/** The provider Botdesk's schema names, as `prisma migrate` writes it into migration_lock.toml. */
const PROVIDER = "postgresql";

/**
 * The migrations folder, read as Prisma 7's CLI reads it: migration_lock.toml, if
 * there is one, must name PostgreSQL; every sub-folder is a migration and must
 * hold a migration.sql; folders are ordered with `localeCompare`, Prisma's own
 * comparison (so `20260101000000_a` runs before `20260101000000_B`, unlike byte order).
 */
export async function readMigrations(migrationsDir = defaultMigrationsDir()): Promise<LocalMigration[]> {
  await checkLockfile(migrationsDir);
  const entries = await readdir(/*turbopackIgnore: true*/ migrationsDir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return [];
    throw e;
  });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  names.sort((a, b) => a.localeCompare(b));
  const migrations: LocalMigration[] = [];
  for (const name of names) {
    const file = path.join(/*turbopackIgnore: true*/ migrationsDir, name, "migration.sql");
    let script: string;
    try {
      script = await readFile(file, "utf8"); // Prisma checksums the text it read as UTF-8, not the raw bytes
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      throw new Error(`Could not find the migration file at ${file}. Please delete the directory or restore the migration file.`);
    }
    migrations.push({ name, script, checksum: createHash("sha256").update(script, "utf8").digest("hex") });
  }
  return migrations;
}

/** Prisma's P3019, with its parsing: the first line starting with `provider`; no lock file is fine. */
async function checkLockfile(migrationsDir: string): Promise<void> {
  const lock = await readFile(path.join(/*turbopackIgnore: true*/ migrationsDir, "migration_lock.toml"), "utf8").catch(() => null);
  if (lock === null) return;
  const line = lock.split("\n").map((l) => l.replace(/\r$/, "")).find((l) => l.startsWith("provider"));
  const found = line === undefined ? "<PROVIDER NOT FOUND>" : line.replace(/^(?:provider = )+/, "").replace(/^"+|"+$/g, "");
  if (found !== PROVIDER) {
    throw new Error(
      `The datasource provider \`${PROVIDER}\` specified in your schema does not match the one specified in the migration_lock.toml, \`${found}\`. Please remove your current migration directory and start a new migration history with prisma migrate dev. Read more: https://pris.ly/d/migrate-provider-switch`,
    );
  }
}
