import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const SOURCES = ["app", "components", "lib", "public", "prisma/schema.prisma", "instrumentation.ts", "proxy.ts", "next.config.ts", "package-lock.json", "postcss.config.mjs", "tsconfig.json"];
const SKIP = new Set(["node_modules", "generated", ".next"]);

function walk(root: string, rel: string, out: string[]): void {
  const p = path.join(root, rel);
  if (!existsSync(p)) return;
  const stat = statSync(p);
  if (stat.isFile()) {
    if (!/\.test\.tsx?$/.test(rel)) out.push(`${rel.split(path.sep).join("/")}:${createHash("sha256").update(readFileSync(p)).digest("hex")}`);
    return;
  }
  for (const entry of readdirSync(p).sort()) if (!SKIP.has(entry)) walk(root, path.join(rel, entry), out);
}

/**
 * A fingerprint of everything the production build depends on: a changed file
 * means a rebuild. Built from paths relative to the checkout and file contents
 * (never absolute paths or mtimes), so a moved or copied checkout keeps its build.
 */
export function sourceStamp(root: string): string {
  const entries: string[] = [];
  for (const s of SOURCES) walk(root, s, entries);
  return createHash("sha256").update(entries.join("\n")).digest("hex");
}

export function buildIsCurrent(root: string): boolean {
  const stampFile = path.join(root, ".next", "botdesk-source-stamp");
  return existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === sourceStamp(root);
}
