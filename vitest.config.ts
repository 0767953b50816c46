import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Unit and integration tests. Integration tests run against a real PostgreSQL
 * server: a throwaway embedded cluster, or TEST_DATABASE_URL's server. Each
 * test file gets its own fresh database copied from a migrated template, so
 * files run in parallel.
 */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "app/**/*.test.ts", "components/**/*.test.ts"],
    globalSetup: ["./lib/test-support/global-setup.ts"],
    setupFiles: ["./lib/test-support/setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
