import { cpSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildIsCurrent, sourceStamp } from "./build-stamp";

const dirs: string[] = [];
function checkout(): string {
  const root = mkdtempSync(path.join(tmpdir(), "botdesk-stamp-"));
  dirs.push(root);
  mkdirSync(path.join(root, "app"), { recursive: true });
  mkdirSync(path.join(root, "lib", "generated"), { recursive: true });
  writeFileSync(path.join(root, "app", "page.tsx"), "export default function Page() { return null; }\n");
  writeFileSync(path.join(root, "lib", "generated", "client.ts"), "// generated\n");
  writeFileSync(path.join(root, "tsconfig.json"), "{}\n");
  return root;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("the build stamp", () => {
  it("is the same for a copied checkout with other file times, so a copy does not rebuild", () => {
    const a = checkout();
    const b = mkdtempSync(path.join(tmpdir(), "botdesk-stamp-copy-"));
    dirs.push(b);
    cpSync(a, b, { recursive: true });
    utimesSync(path.join(b, "app", "page.tsx"), new Date(2001, 0, 1), new Date(2001, 0, 1));
    expect(sourceStamp(b)).toBe(sourceStamp(a));

    mkdirSync(path.join(b, ".next"));
    writeFileSync(path.join(b, ".next", "BUILD_ID"), "x");
    writeFileSync(path.join(b, ".next", "botdesk-source-stamp"), sourceStamp(a));
    expect(buildIsCurrent(b)).toBe(true);
  });

  it("changes when a source file's content changes, even at the same size and time", () => {
    const root = checkout();
    const before = sourceStamp(root);
    const file = path.join(root, "app", "page.tsx");
    writeFileSync(file, "export default function Page() { return 1234; }\n");
    utimesSync(file, new Date(2001, 0, 1), new Date(2001, 0, 1));
    expect(sourceStamp(root)).not.toBe(before);
  });

  it("changes when a file is renamed, and ignores generated code and tests", () => {
    const root = checkout();
    const before = sourceStamp(root);
    writeFileSync(path.join(root, "lib", "generated", "client.ts"), "// regenerated\n");
    writeFileSync(path.join(root, "app", "page.test.ts"), "// a test\n");
    expect(sourceStamp(root)).toBe(before);
    cpSync(path.join(root, "app", "page.tsx"), path.join(root, "app", "other.tsx"));
    rmSync(path.join(root, "app", "page.tsx"));
    expect(sourceStamp(root)).not.toBe(before);
  });
});
