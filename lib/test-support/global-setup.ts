import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { createTemplate, dropDatabasesLike, openTestServer } from "../db/test-database";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's PostgreSQL server (maintenance database), for tests that make databases of their own. */
    testServerUrl: string;
    /** The migrated template every test database is copied from. */
    testTemplate: string;
    /** Prefix of this run's databases, all dropped at the end. */
    testDatabasePrefix: string;
  }
}

/**
 * One PostgreSQL server for the run (TEST_DATABASE_URL's, or a throwaway
 * embedded cluster) and one migrated template on it. Each test file gets its
 * own copy (setup.ts), so files run in parallel without sharing rows.
 */
export default async function setup(project: TestProject) {
  const server = await openTestServer();
  const prefix = `botdesk_test_${randomBytes(4).toString("hex")}`;
  const template = `${prefix}_template`;
  await createTemplate(server.serverUrl, template);
  project.provide("testServerUrl", server.serverUrl);
  project.provide("testTemplate", template);
  project.provide("testDatabasePrefix", prefix);
  console.log(`[test] PostgreSQL: ${server.kind === "server" ? "TEST_DATABASE_URL's server" : "a throwaway embedded cluster"}; databases ${prefix}_*`);
  return async () => {
    await dropDatabasesLike(server.serverUrl, prefix).catch((err: unknown) => console.error("[test] dropping test databases failed:", err));
    await server.stop();
  };
}
