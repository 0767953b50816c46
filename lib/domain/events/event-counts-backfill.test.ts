import { cp, readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applyMigrations } from "../../db/migrate";
import { scratchDatabases } from "../../test-support/scratch";

const MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");
const ROLL_UP = "20261128225758_event_counts_daily";

const { withDatabase, tmp } = scratchDatabases("event-counts-backfill");

describe("the event_counts_daily migration", () => {
  it("backfills the roll-up from the events recorded before it", async () => {
    await withDatabase(async (client, url) => {
      // The migrations before the roll-up, then events, then every migration.
      const before = path.join(tmp(), "before");
      const folders = (await readdir(MIGRATIONS_DIR, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
      for (const f of folders.filter((f) => f.localeCompare(ROLL_UP) < 0)) await cp(path.join(MIGRATIONS_DIR, f), path.join(before, f), { recursive: true });
      const quiet = { log: () => {} };
      await applyMigrations({ connectionString: url, migrationsDir: before, ...quiet });
      await client.query(`
        INSERT INTO accounts (id, name, seat_limit) VALUES ('ac_a', 'A', 5), ('ac_b', 'B', 5);
        INSERT INTO principals (id, kind, name, email, password_hash) VALUES ('usr_a', 'person', 'A', 'a@example.test', 'x');
        INSERT INTO events (id, account_id, type, principal_id, source, created_at)
        SELECT 'ev_' || g, CASE WHEN g % 4 = 0 THEN 'ac_b' ELSE 'ac_a' END, CASE WHEN g % 3 = 0 THEN 'bot.renamed' ELSE 'login.refused' END,
               'usr_a', 'dashboard', timestamptz '2026-11-01 23:30:00+00' + g * interval '1 minute'
        FROM generate_series(1, 100) g`);
      await applyMigrations({ connectionString: url, migrationsDir: MIGRATIONS_DIR, ...quiet });

      const rollUp = await client.query(`SELECT account_id, to_char(day, 'YYYY-MM-DD') AS day, type, n FROM event_counts_daily ORDER BY 1, 2, 3`);
      const counted = await client.query(`
        SELECT account_id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, type, count(*)::int AS n
        FROM events GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`);
      expect(rollUp.rows).toEqual(counted.rows);
      // 30 minutes on Nov 1 (UTC), the rest on Nov 2, for both accounts and both types.
      expect(rollUp.rows).toHaveLength(8);
      expect(rollUp.rows.reduce((sum, r: { n: number }) => sum + r.n, 0)).toBe(100);
    });
  });
});
