import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { db, createPrismaClient } from "@/lib/db/client";
import { defaultMigrationsDir, readMigrations } from "@/lib/db/migration-files";
import { queryOnce } from "@/lib/db/query-once";
import { checkReadiness, livenessResponse, readinessResponse } from "./readiness";

const temp: string[] = [];
afterAll(async () => {
  for (const dir of temp) await rm(dir, { recursive: true, force: true });
});

/** The shipped migrations folder plus one more migration this database has not applied. */
async function migrationsWithOneMore(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "botdesk-readiness-"));
  temp.push(dir);
  await cp(defaultMigrationsDir(), dir, { recursive: true });
  await mkdir(path.join(dir, "29991231000000_from_a_newer_build"));
  await writeFile(path.join(dir, "29991231000000_from_a_newer_build", "migration.sql"), "SELECT 1;\n");
  return dir;
}

describe("readiness (/readyz)", () => {
  it("is ready on a database with every shipped migration applied, and says how many", async () => {
    const shipped = (await readMigrations()).length;
    expect(shipped).toBeGreaterThan(5);
    expect(await checkReadiness()).toEqual({ ready: true, migrations: shipped });
    const res = await readinessResponse();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ status: "ready", migrations: shipped });
  });

  it("is not ready when this build ships a migration the database has not applied", async () => {
    const result = await checkReadiness({ migrationsDir: await migrationsWithOneMore() });
    expect(result).toMatchObject({ ready: false, reason: "migrations_pending" });
    expect(!result.ready && result.message).toContain("29991231000000_from_a_newer_build");
  });

  it("is not ready on an empty database (no _prisma_migrations yet)", async () => {
    const url = process.env.DATABASE_URL!;
    const name = `readiness_empty_${Date.now().toString(36)}`;
    const server = new URL(url);
    server.pathname = "/postgres";
    await queryOnce(server.toString(), `CREATE DATABASE "${name}"`);
    const empty = new URL(url);
    empty.pathname = `/${name}`;
    const client = createPrismaClient(empty.toString(), 1);
    try {
      const result = await checkReadiness({ rows: () => client.$queryRawUnsafe("SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations") });
      expect(result).toMatchObject({ ready: false, reason: "migrations_pending" });
    } finally {
      await client.$disconnect();
      await queryOnce(server.toString(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
  });

  it("is not ready, within its time limit, when the database cannot be reached", async () => {
    // A port nothing listens on (the test database's own port + a large offset is not guaranteed free: use port 1).
    const client = createPrismaClient("postgresql://postgres@127.0.0.1:1/none", 1);
    try {
      const started = Date.now();
      const result = await checkReadiness({ rows: () => client.$queryRawUnsafe("SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations") });
      expect(result).toEqual({ ready: false, reason: "database_unreachable", message: "The database cannot be reached." });
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      await client.$disconnect();
    }
  });

  it("is not ready while a migration is recorded as failed, and ready again once it is resolved", async () => {
    const id = "readiness-failed-row";
    await db().$executeRawUnsafe(
      "INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count) VALUES ($1, $2, $3, 'boom', now(), 0)",
      id, "0".repeat(64), "29991231000000_broken",
    );
    try {
      const result = await checkReadiness();
      expect(result).toMatchObject({ ready: false, reason: "migration_failed" });
      const res = await readinessResponse();
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: "not_ready", reason: "migration_failed" });
    } finally {
      await db().$executeRawUnsafe("DELETE FROM _prisma_migrations WHERE id = $1", id);
    }
    expect((await checkReadiness()).ready).toBe(true);
  });
});

describe("liveness (/healthz)", () => {
  it("answers ok without the database, never cached", async () => {
    const res = livenessResponse();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ status: "ok" });
  });
});
