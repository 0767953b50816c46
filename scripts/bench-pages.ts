/**
 * `npx tsx scripts/bench-pages.ts [--quick]`: a page's render cost against `/sign-in`'s on a loaded,
 * shared machine (issue 20 item 4), narrower than `npm run bench:http`: the production build with the
 * real start command on the benchmark data (scripts/bench-data.ts; `--quick`: 100,000 events), signed
 * in as the account's admin, one client asking the pages in interleaved rounds (each round asks every
 * page once, in order), so each page's p50 is compared with `/sign-in`'s over the same rounds rather
 * than minutes apart as bench:http does; then each page's HTML and, of it, React's payload.
 * `BENCH_PAGES` (comma-separated paths; default `/sign-in,/settings,/usage,/developers`),
 * `BENCH_PAGES_ROUNDS` (default 40). Prints; writes nothing. Asserts nothing.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startTestDatabase } from "../lib/db/test-database";
import { loadAverage, quantile, startSeededBotdesk, stopBotdesk } from "./bench-support";

const QUICK = process.argv.includes("--quick");
const PAGES = (process.env.BENCH_PAGES ?? "/sign-in,/settings,/usage,/developers").split(",").map((p) => p.trim());
const ROUNDS = Number(process.env.BENCH_PAGES_ROUNDS ?? 40);
if (!PAGES.includes("/sign-in")) PAGES.unshift("/sign-in");

const database = await startTestDatabase();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "botdesk-bench-pages-"));
let server: ChildProcess | undefined;
try {
  const started = await startSeededBotdesk(database.url, dataDir, QUICK);
  server = started.server;
  const { base } = started;
  const cookie = () => started.cookie;

  const hit = async (p: string) => {
    const s = performance.now();
    const r = await fetch(`${base}${p}`, { headers: p === "/sign-in" ? {} : { cookie: cookie() }, redirect: "manual" });
    const body = await r.text();
    if (r.status !== 200) throw new Error(`${p} answered ${r.status}`);
    return { ms: performance.now() - s, body };
  };
  const loadStart = loadAverage();
  for (let i = 0; i < 3; i++) for (const p of PAGES) await hit(p); // warm
  const times = new Map(PAGES.map((p) => [p, [] as number[]]));
  for (let round = 0; round < ROUNDS; round++) for (const p of PAGES) times.get(p)!.push((await hit(p)).ms);
  const signIn50 = quantile(times.get("/sign-in")!, 0.5);
  console.log(`\n${ROUNDS} interleaved rounds, 1 client; load average ${loadStart.join(" ")} → ${loadAverage().join(" ")}\n`);
  console.log(`| page | p50 | p95 | vs /sign-in | HTML | of it React's payload |\n|---|---|---|---|---|---|`);
  for (const p of PAGES) {
    const { body } = await hit(p);
    const payload = [...body.matchAll(/<script[^>]*>(self\.__next_f\.push\([\s\S]*?)<\/script>/g)].reduce((n, m) => n + Buffer.byteLength(m[1]!), 0);
    const p50 = quantile(times.get(p)!, 0.5);
    console.log(`| ${p} | ${p50} ms | ${quantile(times.get(p)!, 0.95)} ms | ${(p50 / signIn50).toFixed(2)} × | ${(Buffer.byteLength(body) / 1000).toFixed(1)} kB | ${(payload / 1000).toFixed(1)} kB |`);
  }
} finally {
  await stopBotdesk(server);
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
