import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { backupEmbedded, clusterOf, restoreEmbedded } from "./backup";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded";
import { queryOnce } from "./query-once";

// Real embedded clusters (the npm package's PostgreSQL 18), as `npm start` runs them.
const dirs: string[] = [];
const servers: EmbeddedPostgres[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => {});
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const tempDir = (name: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `botdesk-${name}-`));
  fs.chmodSync(dir, 0o755); // the server's user (postgres, as root) must reach it
  dirs.push(dir);
  return dir;
};
async function start(dataDir: string): Promise<EmbeddedPostgres> {
  const server = await startEmbeddedPostgres({ dataDir, rootFallbackDir: path.join(dataDir, "..", `${path.basename(dataDir)}-root`) });
  servers.push(server);
  return server;
}
const notes = async (url: string) => (await queryOnce<{ body: string }>(url, "SELECT body FROM notes ORDER BY id")).map((r) => r.body);

describe("npm run backup / restore of the embedded database", () => {
  it("round trip: data written, backed up while running, changed, restored: the data is back", async () => {
    const dataDir = tempDir("backup-data");
    const backups = tempDir("backup-files");
    let db = await start(dataDir);
    await queryOnce(db.url, "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)");
    await queryOnce(db.url, "INSERT INTO notes (body) SELECT 'note ' || g FROM generate_series(1, 5000) g");
    const online = await backupEmbedded({ dataDir, file: path.join(backups, "online.tar.gz") });
    expect(online.mode).toBe("online");
    expect(online.walSegments).toBeGreaterThanOrEqual(1);
    // Written after the backup: must be gone after the restore.
    await queryOnce(db.url, "DELETE FROM notes WHERE id > 10");
    await queryOnce(db.url, "INSERT INTO notes (body) VALUES ('after the backup')");
    expect((await notes(db.url)).length).toBe(11);

    // Refused while the database runs on the cluster.
    await expect(restoreEmbedded({ dataDir, file: online.file })).rejects.toThrow(/is running .* stop Botdesk/);

    await db.stop();
    const restored = await restoreEmbedded({ dataDir, file: online.file });
    expect(restored.previous).toMatch(/\.before-restore-/);
    db = await start(dataDir);
    const back = await notes(db.url);
    expect(back.length).toBe(5000);
    expect(back).not.toContain("after the backup");
    expect(back[4999]).toBe("note 5000");
    // A working cluster, not a read-only copy: it takes writes again.
    await queryOnce(db.url, "INSERT INTO notes (body) VALUES ('after the restore')");
    await db.stop();
  });

  it("an offline backup restores into a new data directory, with the database's password", async () => {
    const dataDir = tempDir("backup-offline");
    const db = await start(dataDir);
    await queryOnce(db.url, "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)");
    await queryOnce(db.url, "INSERT INTO notes (body) VALUES ('kept')");
    await db.stop();
    const file = path.join(tempDir("backup-offline-files"), "offline.tar.gz");
    expect((await backupEmbedded({ dataDir, file })).mode).toBe("offline");
    const elsewhere = tempDir("backup-elsewhere");
    expect((await restoreEmbedded({ dataDir: elsewhere, file })).previous).toBeNull();
    expect(fs.readFileSync(path.join(elsewhere, "postgres-password"), "utf8")).toBe(fs.readFileSync(path.join(dataDir, "postgres-password"), "utf8"));
    const copy = await start(elsewhere);
    expect(await notes(copy.url)).toEqual(["kept"]);
    await copy.stop();
    expect(fs.existsSync(path.join(clusterOf(elsewhere), "PG_VERSION"))).toBe(true);
  });

  it("with DATABASE_URL, the commands point to the operator's own pg_dump", () => {
    for (const command of ["backup", "restore"]) {
      const r = spawnSync(process.execPath, ["--import", "tsx", `scripts/${command}.ts`, "/tmp/never.tar.gz"], {
        env: { ...process.env, DATABASE_URL: "postgresql://botdesk@db.example/botdesk" },
        encoding: "utf8",
      });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(command === "backup" ? "pg_dump" : "pg_restore");
      expect(fs.existsSync("/tmp/never.tar.gz")).toBe(false);
    }
  });
});
