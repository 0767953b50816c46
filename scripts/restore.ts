/**
 * `npm run restore -- <file>`: replaces the embedded database (BOTDESK_DATA_DIR,
 * default ./data) with a backup made by `npm run backup`. Refuses while Botdesk
 * runs on it; the replaced database is moved aside, not deleted. With
 * DATABASE_URL, restore the operator's own dump with pg_restore instead.
 * See docs/operating.md, "Backups and restore".
 */
import { restoreEmbedded } from "../lib/db/backup";
import { readEnv } from "../lib/env";

const env = readEnv();
if (env.DATABASE_URL) {
  console.error("[botdesk] DATABASE_URL is set: Botdesk's database is your PostgreSQL server. Restore it with that server's own tools, e.g.");
  console.error('    pg_restore --clean --if-exists --dbname="$DATABASE_URL" botdesk.dump');
  console.error("[botdesk] npm run restore is for the embedded database.");
  process.exit(2);
}
const file = process.argv[2];
if (!file) {
  console.error("[botdesk] Usage: npm run restore -- <file.tar.gz>   (stop Botdesk first)");
  process.exit(2);
}
try {
  await restoreEmbedded({ dataDir: env.BOTDESK_DATA_DIR, file, log: (line) => console.log(`[botdesk] ${line}`) });
} catch (error) {
  console.error(`[botdesk] Restore failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
