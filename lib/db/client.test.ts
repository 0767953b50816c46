import { afterEach, describe, expect, it } from "vitest";
import { readEnv } from "../env";
import { createPrismaClient, type Db } from "./client";

// Every statement of the app is bounded on the server, so one runaway query cannot
// hold a pooled connection (and its locks) while every other request waits.
describe("the app's database client", () => {
  let client: Db | undefined;
  afterEach(async () => {
    delete process.env.DATABASE_STATEMENT_TIMEOUT_MS;
    await client?.$disconnect();
  });

  it("cancels a statement that runs past DATABASE_STATEMENT_TIMEOUT_MS, and the connection stays usable", async () => {
    process.env.DATABASE_STATEMENT_TIMEOUT_MS = "300";
    client = createPrismaClient(readEnv().DATABASE_URL!, 1);
    await expect(client.$queryRaw`SELECT pg_sleep(2)`).rejects.toThrow(/statement timeout/);
    expect(await client.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
  });

  it("bounds statements by default (15 s), and 0 turns the bound off", async () => {
    client = createPrismaClient(readEnv().DATABASE_URL!, 1);
    expect(await client.$queryRaw`SHOW statement_timeout`).toEqual([{ statement_timeout: "15s" }]);
    await client.$disconnect();
    process.env.DATABASE_STATEMENT_TIMEOUT_MS = "0";
    client = createPrismaClient(readEnv().DATABASE_URL!, 1);
    expect(await client.$queryRaw`SHOW statement_timeout`).toEqual([{ statement_timeout: "0" }]);
  });

  it("prepares a statement marked /* prepared */ once per connection and reuses it; other statements are not kept", async () => {
    client = createPrismaClient(readEnv().DATABASE_URL!, 1);
    const prepared = () => client!.$queryRaw<{ statement: string }[]>`SELECT statement FROM pg_prepared_statements`;
    expect(await prepared()).toEqual([]);
    for (const id of ["a", "b", "c"]) {
      expect(await client.$queryRaw`/* prepared */ SELECT ${id}::text AS id`).toEqual([{ id }]);
      expect(await client.$queryRaw`SELECT ${id}::text AS unmarked`).toEqual([{ unmarked: id }]);
    }
    const kept = (await prepared()).map((r) => r.statement);
    expect(kept).toEqual(["/* prepared */ SELECT $1::text AS id"]);
  });
});
