import path from "node:path";
import { defineConfig } from "vitest/config";

/**
 * `npm run test:faults`: the fault tests: several app instances on the
 * machine's PostgreSQL (HARDENING_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres,
 * a fresh database per run), processes killed with SIGKILL. One file at a time:
 * each starts servers of its own.
 */
export default defineConfig({
  root: path.resolve(import.meta.dirname, ".."),
  resolve: { alias: { "@": path.resolve(import.meta.dirname, "..") } },
  test: {
    include: ["hardening/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
