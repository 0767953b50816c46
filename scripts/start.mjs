/**
 * `npm start`, `npm run dev` and `npm run build` run this file with plain Node:
 * it compiles the launcher (scripts/start.ts and the lib/ modules it imports,
 * packages left as imports) into one JavaScript file with esbuild, stops
 * esbuild, and runs that file in this process. The launcher stays alive as the
 * supervisor of the embedded PostgreSQL and the web server, so it should hold
 * no TypeScript loader (tsx keeps an esbuild service process beside it): this
 * way the long-lived process is Node with only the launcher's own code.
 *
 * The compiled file goes to node_modules/.cache/botdesk/, named by its content,
 * and is written again whenever the sources change (compiling takes ~0.1 s).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const root = path.resolve(import.meta.dirname, "..");
// esbuild comes with tsx (a dependency); resolve it from there rather than rely on its hoisting.
const require = createRequire(createRequire(import.meta.url).resolve("tsx"));
const esbuild = require("esbuild");

const result = await esbuild.build({
  entryPoints: [path.join(root, "scripts", "start.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: `node${process.versions.node.split(".")[0]}`,
  packages: "external",
  write: false,
  logLevel: "error",
});
await esbuild.stop();

const code = result.outputFiles[0].contents;
const dir = path.join(root, "node_modules", ".cache", "botdesk");
const file = path.join(dir, `start-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`);
if (!existsSync(file)) {
  mkdirSync(dir, { recursive: true });
  // Written whole under a private name, then renamed: another instance starting at once never reads half a file.
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, code);
  renameSync(temp, file);
  // Launchers compiled from earlier sources are never run again (a running one is already loaded): one file stays.
  for (const name of readdirSync(dir)) {
    if (/^start-[0-9a-f]{16}\.mjs$/.test(name) && path.join(dir, name) !== file) rmSync(path.join(dir, name), { force: true });
  }
}
await import(pathToFileURL(file).href);
