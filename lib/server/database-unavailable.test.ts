import { describe, expect, it } from "vitest";
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
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
  });
});
