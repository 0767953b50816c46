import { gzipSync } from "node:zlib";
import { expect, test } from "@playwright/test";
import { sql } from "./support/db";
import { ADMIN, signIn } from "./support/session";
import { acmeId } from "./support/users";

// Issue 11's goal: every page's first-load JS is at most 160 kB gzipped. Measured on the production build
// this run serves, as `npm run bench:http` does: every script the page's HTML loads (not the `noModule`
// legacy polyfills), gzipped. Dialogs load after the page (components/lazy-dialog.tsx) and don't count.
const GOAL_KB = 160;
// Not there yet: /users and /credentials carry the tables' TanStack Table (about 14 kB gzipped, see
// bench/README.md). Until it goes, they are held where they are so they cannot grow: /users at 167 kB
// since the two-factor reset's row controls (+1.1 kB; its dialog loads after the page).
const BUDGET_KB: Record<string, number> = { "/users": 167, "/credentials": 166 };

test("first-load JS: every page within 160 kB gzipped, /users and /credentials within their interim budget", async ({ page }) => {
  const gz = new Map<string, number>();
  const sizes: Record<string, number> = {};
  const measure = async (path: string, name = path) => {
    const response = await page.request.get(path, { maxRedirects: 0 });
    expect(response.status(), path).toBe(200);
    const html = await response.text();
    const tags = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]).filter((tag) => !/\bnomodule\b/i.test(tag));
    const srcs = [...new Set(tags.map((tag) => /\ssrc="([^"]+)"/.exec(tag)?.[1]).filter((src): src is string => Boolean(src)))];
    expect(srcs.length, `${path} loads scripts`).toBeGreaterThan(3);
    let bytes = 0;
    for (const src of srcs) {
      if (!gz.has(src)) gz.set(src, gzipSync(await (await page.request.get(src)).body()).length);
      bytes += gz.get(src)!;
    }
    sizes[name] = Number((bytes / 1000).toFixed(1));
  };
  await measure("/sign-in");
  await signIn(page, ADMIN);
  const [bot] = await sql<{ id: string }>`SELECT id FROM principals WHERE kind = 'bot' AND account_id = ${await acmeId()} AND deleted_at IS NULL LIMIT 1`;
  for (const path of ["/", "/users", "/credentials", "/activity", "/usage", "/developers", "/settings", "/settings/domains"]) await measure(path);
  await measure(`/users/bots/${bot!.id}`, "/users/bots/[id]");
  console.log(`[bundles] first-load JS, kB gzip: ${Object.entries(sizes).map(([p, kB]) => `${p} ${kB}`).join(" · ")}`);
  expect(Object.entries(sizes).filter(([path, kB]) => kB > (BUDGET_KB[path] ?? GOAL_KB))).toEqual([]);
});
