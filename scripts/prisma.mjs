#!/usr/bin/env node
// Runs the Prisma CLI (`node scripts/prisma.mjs generate`) on machines where
// Prisma's native schema engine could not be downloaded. The CLI downloads that
// engine before every command and fails without it, although `generate`,
// `validate` and `format` only need WebAssembly. Pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips the download, so this
// does that, but only when the engine is missing and nobody set the variable:
// machines with the engine run Prisma untouched. Plain JS: npm's postinstall
// runs it before any TypeScript tooling is guaranteed to work.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));

/** @prisma/engines keeps the binary beside its package.json as `schema-engine-<binary target>[.exe]`. */
function nativeEngineInstalled() {
  let enginesDir;
  try {
    enginesDir = path.dirname(require.resolve("@prisma/engines/package.json"));
  } catch {
    return false;
  }
  let target;
  try {
    // The same lookup Prisma uses to pick the download (e.g. debian-openssl-3.0.x).
    target = require("@prisma/get-platform").getBinaryTargetForCurrentPlatform;
  } catch {
    target = undefined;
  }
  const files = readdirSync(enginesDir);
  if (typeof target === "function") {
    return target().then((t) => files.includes(`schema-engine-${t}${t === "windows" ? ".exe" : ""}`));
  }
  return Promise.resolve(files.some((f) => f.startsWith("schema-engine-") && !/\.(gz|sha256|sig)$/.test(f)));
}

/** A stand-in "engine": enough for the CLI to skip its download, and a clear message if a migrate command runs it. */
function placeholderEngine() {
  const dir = path.join(root, "node_modules", ".cache", "botdesk");
  const file = path.join(dir, "schema-engine-placeholder");
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      file,
      [
        "#!/bin/sh",
        "echo \"Prisma's native schema engine is not installed on this machine (scripts/prisma.mjs set this placeholder).\" >&2",
        "echo \"Use 'npm run db -- deploy | migrate --name <name> | drift | resolve' instead of prisma migrate.\" >&2",
        "exit 1",
        "",
      ].join("\n"),
    );
    chmodSync(file, 0o755);
  }
  return file;
}

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !(await nativeEngineInstalled())) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholderEngine();
}
const cli = path.join(path.dirname(require.resolve("prisma/package.json")), "build", "index.js");
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: "inherit", env, cwd: root });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
