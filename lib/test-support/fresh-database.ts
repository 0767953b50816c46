import { inject } from "vitest";
import { createDatabaseFrom, type TestDatabase } from "../db/test-database";

/** A new, migrated, empty database on the run's server (dropped at the end of the run, or by stop()). */
export function freshDatabase(): Promise<TestDatabase> {
  return createDatabaseFrom(inject("testServerUrl"), inject("testTemplate"), inject("testDatabasePrefix"));
}
