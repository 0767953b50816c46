import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// What a client component imports (by value, transitively) ships to every
// browser that opens its page. zod alone is 37 kB gzipped; the database client
// and Node's crypto must never get there at all. Shared constants live in
// zod-free modules (lib/validation/limits.ts) and types are imported with
// `import type`, which ships nothing.
const ROOT = path.resolve(import.meta.dirname, "..");
const FORBIDDEN = [/^zod(\/|$)/, /^node:/, /^@prisma\//, /^pg$/, /^@node-rs\//, /lib\/db\//];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "node_modules" ? [] : sourceFiles(full);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

/** The modules a file imports by value (not `import type`, not `export type`). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+"([^"]+)"/gms)) {
    if (m[2]) continue;
    // `import { type A, type B } from …` is type-only too.
    const names = m[3]!.replace(/^\{|\}$/g, "").split(",").map((n) => n.trim()).filter(Boolean);
    if (m[3]!.startsWith("{") && names.length > 0 && names.every((n) => n.startsWith("type "))) continue;
    specifiers.push(m[4]!);
  }
  for (const m of text.matchAll(/^\s*import\s+"([^"]+)"/gm)) specifiers.push(m[1]!);
  return specifiers;
}

function resolveLocal(from: string, specifier: string): string | null {
  const base = specifier.startsWith("@/") ? path.join(ROOT, specifier.slice(2)) : specifier.startsWith(".") ? path.resolve(path.dirname(from), specifier) : null;
  if (!base) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts"), path.join(base, "index.tsx")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Every forbidden module a client component reaches, with the chain of files that leads there. */
function forbiddenReach(entry: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of valueImports(file)) {
      const local = resolveLocal(file, specifier);
      const name = local ? path.relative(ROOT, local) : specifier;
      if (FORBIDDEN.some((re) => re.test(local ? name : specifier))) found.push([...chain, name].join(" → "));
      // A "use server" module reaches the browser as references to its actions, not as code.
      else if (local && !/^\s*["']use server["']/.test(readFileSync(local, "utf8"))) walk(local, [...chain, name]);
    }
  };
  walk(entry, [path.relative(ROOT, entry)]);
  return found;
}

describe("client bundles", () => {
  const clientComponents = [...sourceFiles(path.join(ROOT, "app")), ...sourceFiles(path.join(ROOT, "components"))].filter((f) =>
    /^\s*["']use client["']/.test(readFileSync(f, "utf8")),
  );

  it("finds the client components", () => {
    expect(clientComponents.length).toBeGreaterThan(10);
  });

  it("no client component imports zod, Node built-ins or the database, however indirectly", () => {
    const reached = clientComponents.flatMap(forbiddenReach);
    expect(reached).toEqual([]);
  });

  // First-load JS (issue 11; measured on the build by e2e/bundles.spec.ts): the dialogs of the tables' pages
  // load after the page, through lazyDialog() (components/lazy-dialog.tsx). A static import from anything the
  // page renders at first paint would pull them back into every page load.
  it("the tables' pages reach their dialogs only through a lazy import", () => {
    const firstPaint = [
      "app/(dashboard)/users/bots-section.tsx",
      "app/(dashboard)/users/people-section.tsx",
      "app/(dashboard)/users/bots/[id]/bot-detail-actions.tsx",
      "app/(dashboard)/credentials/credentials-table.tsx",
      "components/credentials/credentials-panel.tsx",
    ];
    const dialogs = [
      "app/(dashboard)/users/bot-dialogs.tsx",
      "app/(dashboard)/users/person-dialogs.tsx",
      "app/(dashboard)/users/reset-password-dialog.tsx",
      "components/credentials/create-credential-dialog.tsx",
      "components/credentials/rotate-dialog.tsx",
      "components/credentials/revoke-dialog.tsx",
      "components/credentials/secret-once-dialog.tsx",
      "components/confirm-dialog.tsx",
      "components/ui/dialog.tsx",
    ];
    const reached = new Set<string>();
    const walk = (file: string) => {
      const name = path.relative(ROOT, file);
      if (reached.has(name)) return;
      reached.add(name);
      for (const specifier of valueImports(file)) {
        const local = resolveLocal(file, specifier);
        if (local && !/^\s*["']use server["']/.test(readFileSync(local, "utf8"))) walk(local);
      }
    };
    for (const entry of firstPaint) walk(path.join(ROOT, entry));
    expect(reached.size).toBeGreaterThan(firstPaint.length);
    expect(dialogs.filter((d) => reached.has(d))).toEqual([]);
  });
});
