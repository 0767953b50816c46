import type { TestProject } from "vitest/node";
import { readEnv } from "../env";
import { startTestDatabase } from "../db/test-database";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    databasePoolSize: number;
  }
}

/** One database for the whole run; each test makes its own accounts, so tests never share rows. */
export default async function setup(project: TestProject) {
  const database = await startTestDatabase();
  project.provide("databaseUrl", database.url);
  project.provide("databasePoolSize", readEnv().TEST_DATABASE_URL ? 5 : 1);
  return async () => {
    await database.stop();
  };
}
