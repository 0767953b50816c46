import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Unit and integration tests. Integration tests run against a real PostgreSQL:
 * an embedded PGlite started from a prepared template, or TEST_DATABASE_URL's
 * server (a fresh database, dropped afterwards). One worker: PGlite is serial.
 */
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["lib/**/*.test.ts", "scripts/**/*.test.ts"],
    globalSetup: ["./lib/test-support/global-setup.ts"],
    setupFiles: ["./lib/test-support/setup.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
