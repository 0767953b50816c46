/**
 * `npm run backup -- <file>`: backs up the embedded database (BOTDESK_DATA_DIR,
 * default ./data) into <file>, a .tar.gz, while Botdesk runs (PostgreSQL's
 * low-level backup API) or while it is stopped. With DATABASE_URL, Botdesk's
 * database is the operator's own server: back it up with that server's tools.
 * See docs/operating.md, "Backups and restore".
 */
import { backupEmbedded } from "../lib/db/backup";
import { readEnv } from "../lib/env";

const env = readEnv();
if (env.DATABASE_URL) {
  console.error("[botdesk] DATABASE_URL is set: Botdesk's database is your PostgreSQL server. Back it up with that server's own tools, e.g.");
  console.error('    pg_dump --format=custom --file=botdesk.dump "$DATABASE_URL"     (restore: pg_restore --clean --if-exists -d "$DATABASE_URL" botdesk.dump)');
  console.error("[botdesk] (pg_dump must be the server's major version or newer.) npm run backup is for the embedded database.");
  process.exit(2);
}
const file = process.argv[2];
if (!file) {
  console.error("[botdesk] Usage: npm run backup -- <file.tar.gz>");
  process.exit(2);
}
try {
  await backupEmbedded({ dataDir: env.BOTDESK_DATA_DIR, file, log: (line) => console.log(`[botdesk] ${line}`) });
} catch (error) {
  console.error(`[botdesk] Backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
