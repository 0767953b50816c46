import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EVENT_CATALOGUE, eventTypesMarkdown, isEventType } from "./catalogue";

const root = path.resolve(import.meta.dirname, "../../..");

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|tsx)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => !f.includes(`${path.sep}generated${path.sep}`));
}

/** Every `resource.verb` string in a `type:` expression (also both arms of `active ? "a.b" : "c.d"`). */
function recordedTypes(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const m of text.matchAll(/\btype:\s*([^\n,;}]+)/g)) {
    for (const t of m[1]!.matchAll(/"([a-z]+(?:_[a-z]+)*\.[a-z_]+)"/g)) found.push(t[1]!);
  }
  return found;
}

describe("the event catalogue", () => {
  it("names every event type the code records (lib/ and app/)", () => {
    const files = [...sources("lib"), ...sources("app")];
    const found = new Map<string, string>();
    for (const file of files) for (const t of recordedTypes(file)) found.set(t, path.relative(root, file));
    // The scan must see the types it is meant to see, or it proves nothing.
    expect([...found.keys()]).toEqual(expect.arrayContaining(["bot.renamed", "bot.deactivated", "bot.reactivated", "credential.expired", "login.refused"]));
    const missing = [...found].filter(([t]) => !isEventType(t)).map(([t, file]) => `${t} (${file})`);
    expect(missing).toEqual([]);
  });

  it("has a label, a known category and a description of its data for every type", () => {
    for (const [type, info] of Object.entries(EVENT_CATALOGUE)) {
      // `resource.verb`; a resource of two words is joined by `_`, as ngrok names its objects (reserved_domain).
      expect(type).toMatch(/^[a-z]+(?:_[a-z]+)*\.[a-z_]+$/);
      expect(info.label.length).toBeGreaterThan(0);
      expect(info.data.length).toBeGreaterThan(0);
    }
  });

  it("is docs/guide.md's event types table (and the README, for newcomers, holds none)", () => {
    const guide = readFileSync(path.join(root, "docs", "guide.md"), "utf8");
    const table = /<!-- event-types:start -->\n([\s\S]*?)\n<!-- event-types:end -->/.exec(guide)?.[1];
    expect(table, "docs/guide.md's event types table: run npx tsx scripts/event-types-table.ts").toBe(eventTypesMarkdown());
    expect(readFileSync(path.join(root, "README.md"), "utf8"), "the event types table lives in docs/guide.md").not.toContain("<!-- event-types:start -->");
  });
});
