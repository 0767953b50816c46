import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * What the production build and the app/ tree say exists: every server action
 * (from Next's server-reference manifest: id → file and exported name), every
 * page and every route handler with its exported methods. Nothing here is a
 * hand-kept list, so a new action, page or route appears in the inventory by
 * itself and fails the matrix until it has an entry.
 */

export interface ActionRef {
  id: string;
  /** `app/(dashboard)/users/actions.ts#createBotAction` */
  key: string;
  /** A page whose worker serves the action, as a URL path (no dynamic segment when one exists). */
  pagePath: string;
}

const ROOT = process.cwd();
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** `app/(dashboard)/users/bots/[id]/page` → `/users/bots/[id]` */
export function urlOf(appFile: string): string {
  const parts = appFile.replace(/^app\//, "").split("/").slice(0, -1).filter((p) => !/^\(.*\)$/.test(p));
  return `/${parts.join("/")}`;
}

export function serverActions(): ActionRef[] {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { workers: Record<string, unknown>; filename?: string; exportedName?: string }>;
    edge?: Record<string, unknown>;
  };
  if (manifest.edge && Object.keys(manifest.edge).length > 0) throw new Error("edge server actions: the matrix does not cover them yet");
  return Object.entries(manifest.node).map(([id, entry]) => {
    if (!entry.filename || !entry.exportedName) throw new Error(`server action ${id} without a file or name in the manifest`);
    const pages = Object.keys(entry.workers).filter((w) => w.endsWith("/page")).map(urlOf);
    const pagePath = pages.find((p) => !p.includes("[")) ?? pages[0];
    if (!pagePath) throw new Error(`server action ${entry.exportedName} served by no page`);
    return { id, key: `${entry.filename}#${entry.exportedName}`, pagePath };
  });
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return d.name.startsWith("_") ? [] : walk(full); // _folders are private (tests)
    return [path.relative(ROOT, full).split(path.sep).join("/")];
  });
}

/** Every page's URL pattern, from the app/ tree. */
export function pages(): string[] {
  return walk(path.join(ROOT, "app")).filter((f) => /\/page\.(tsx|ts|jsx|js)$/.test(f)).map(urlOf).sort();
}

/** Every route handler as `METHOD /pattern`, from the app/ tree (the methods a route file exports). */
export function routeHandlers(): string[] {
  return walk(path.join(ROOT, "app"))
    .filter((f) => /\/route\.(ts|js)$/.test(f))
    .flatMap((f) => {
      const source = readFileSync(path.join(ROOT, f), "utf8");
      const exported = METHODS.filter((m) =>
        new RegExp(`export\\s+(const|(async\\s+)?function)\\s+${m}\\b|export\\s*\\{[^}]*\\b${m}\\b[^}]*\\}`).test(source),
      );
      if (exported.length === 0) throw new Error(`${f} exports no HTTP method the inventory recognizes`);
      return exported.map((m) => `${m} ${urlOf(f)}`);
    })
    .sort();
}
