import { describe, expect, it } from "vitest";
import { sqlStateOf } from "./sqlstate";

describe("sqlStateOf", () => {
  it("finds the SQLSTATE where each layer keeps it, never a Prisma or socket code", () => {
    // node-postgres's DatabaseError.
    expect(sqlStateOf(Object.assign(new Error("deadlock detected"), { code: "40P01" }))).toBe("40P01");
    // The Prisma pg adapter's DriverAdapterError, and Prisma's client error wrapping it (P2010 is Prisma's own code).
    const adapter = { name: "DriverAdapterError", cause: { originalCode: "40P01", originalMessage: "deadlock detected", kind: "TransactionWriteConflict" } };
    expect(sqlStateOf(adapter)).toBe("40P01");
    expect(sqlStateOf({ code: "P2010", clientVersion: "7.10.0", message: "", meta: { driverAdapterError: adapter } })).toBe("40P01");
    expect(sqlStateOf(new Error("wrapped", { cause: new Error("inner", { cause: { code: "23505" } }) }))).toBe("23505");
    expect(sqlStateOf({ code: "P2010", clientVersion: "7.10.0", message: "Code: `40P01`. Message: `deadlock detected`" })).toBeNull();
    expect(sqlStateOf(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))).toBeNull();
    expect(sqlStateOf(new Error("deadlock detected"))).toBeNull();
    expect(sqlStateOf(null)).toBeNull();
  });
});
