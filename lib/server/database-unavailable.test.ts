import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { createPrismaClient } from "../db/client";
import { isDatabaseUnavailable } from "./database-unavailable";

describe("isDatabaseUnavailable", () => {
  it("recognises a database that refuses connections, and not an ordinary query error", async () => {
    // Port 1 on loopback: nothing listens there.
    const down = createPrismaClient("postgresql://postgres@127.0.0.1:1/postgres", 1);
    const error = await down.principal.findFirst().catch((e: unknown) => e);
    await down.$disconnect();
    expect(isDatabaseUnavailable(error)).toBe(true);

    const { db } = await import("../db/client");
    const bad = await db().$queryRawUnsafe("SELECT * FROM no_such_table").catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(bad)).toBe(false);
    const { queryHot } = await import("../db/client");
    const { Prisma } = await import("../db/generated/client");
    const badHot = await queryHot(Prisma.sql`/* prepared */ SELECT * FROM no_such_table`).catch((e: unknown) => e);
    expect(badHot).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(badHot)).toBe(false);
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
  });

  it("recognises a server that closes the database while the pool is connected, and sees it back", async () => {
    const server = inject("testServerUrl");
    if (!server) return;
    const name = `botdesk_down_${Math.random().toString(16).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    const client = createPrismaClient(url.toString(), 2);
    // What queryHot (lib/db/client.ts) runs on: pg's pool, its errors unwrapped by Prisma.
    const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
    pool.on("error", () => {});
    try {
      await client.$queryRawUnsafe("SELECT 1");
      await pool.query("SELECT 1");
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
      for (let i = 0; i < 2; i++) {
        const error = await client.$queryRawUnsafe("SELECT 1").catch((e: unknown) => e);
        expect(isDatabaseUnavailable(error)).toBe(true);
        const direct = await pool.query("SELECT 1").catch((e: unknown) => e);
        expect(isDatabaseUnavailable(direct)).toBe(true);
      }
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      expect(await client.$queryRawUnsafe("SELECT 1 AS one")).toEqual([{ one: 1 }]);
      expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
      await client.$disconnect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
