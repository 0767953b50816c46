/**
 * `NODE_OPTIONS=--experimental-websocket npx tsx scripts/bench-profile.ts [--quick]`: where a page's
 * CPU goes (issue 20 item 4). The production build with the real start command on the benchmark data
 * (scripts/bench-data.ts; `--quick`: 100,000 events), one web worker with an inspector port, signed in
 * as the account's admin; for each page of `BENCH_PAGES` (default `/sign-in,/settings,/users,/activity`):
 * 10 clients for `BENCH_PROFILE_SECONDS` (default 8) unprofiled (requests/s, and the web server's CPU
 * per request from /proc), then again with V8's CPU profiler on (sampling every 200 µs): the share of
 * busy time under each file (inclusive, the synchronous stack) and the hottest functions by self time;
 * each profile is written to the system's temporary directory (open it in Chrome's DevTools,
 * Performance tab). For function names rather than minified ones, build with
 * `experimental.serverMinification: false` in next.config.ts for the run. Then the web server's live
 * heap after a full GC, which would show a page or cache holding requests. Prints; asserts nothing.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startTestDatabase } from "../lib/db/test-database";
import { freePort, hottest, processTree, profiled, startSeededBotdesk, stopBotdesk, treeCpuSeconds, type CpuProfile } from "./bench-support";

const QUICK = process.argv.includes("--quick");
const PAGES = (process.env.BENCH_PAGES ?? "/sign-in,/settings,/users,/activity").split(",").map((p) => p.trim());
const SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 8);
const CLIENTS = 10;

/** The web server's live heap after a full GC, in MiB, through its inspector (already open: profiled() opened it). */
async function liveHeapMiB(inspectPort: number): Promise<number> {
  const [target] = (await (await fetch(`http://127.0.0.1:${inspectPort}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  const ws = new WebSocket(target!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const answers = new Map<number, (result: unknown) => void>();
  ws.onmessage = (m: MessageEvent) => {
    const message = JSON.parse(String(m.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) answers.get(message.id)?.(message.result);
  };
  const call = <R>(id: number, method: string) =>
    new Promise<R>((resolve) => {
      answers.set(id, resolve as (result: unknown) => void);
      ws.send(JSON.stringify({ id, method }));
    });
  await call(1, "HeapProfiler.collectGarbage");
  const { usedSize } = await call<{ usedSize: number }>(2, "Runtime.getHeapUsage");
  ws.close();
  return usedSize / 2 ** 20;
}

/** The share of busy samples with each file on the stack (inclusive), top `n`. */
function byFile(profile: CpuProfile & { nodes: { id: number; children?: number[] }[] }, n = 25): string[] {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const counts = new Map<string, number>();
  let busy = 0;
  for (const sample of profile.samples) {
    if (frames.get(sample)!.functionName === "(idle)") continue;
    busy += 1;
    const files = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const f = frames.get(id)!;
      files.add(f.url ? path.basename(f.url) : f.functionName);
    }
    for (const file of files) counts.set(file, (counts.get(file) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([file, count]) => `${((100 * count) / Math.max(busy, 1)).toFixed(1).padStart(5)} %  ${file}`);
}

const database = await startTestDatabase();
const dataDir = mkdtempSync(path.join(os.tmpdir(), "botdesk-bench-profile-"));
let server: ChildProcess | undefined;
try {
  const inspectPort = await freePort();
  // The inspector is opened only when profiling starts (SIGUSR1), on this port.
  const started = await startSeededBotdesk(database.url, dataDir, QUICK, { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --inspect-port=127.0.0.1:${inspectPort}`.trim() });
  server = started.server;
  const { base, cookie } = started;
  const web = processTree(server.pid!).find((p) => p.name === "next-server")?.pid;
  if (!web) throw new Error("no next-server process under the launcher");

  const load = async (page: string, seconds: number) => {
    let done = 0;
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < end) {
          const r = await fetch(`${base}${page}`, { headers: page === "/sign-in" ? {} : { cookie }, redirect: "manual" });
          await r.arrayBuffer();
          if (r.status !== 200) throw new Error(`${page} answered ${r.status}`);
          done += 1;
        }
      }),
    );
    return done / seconds;
  };

  for (const page of PAGES) {
    await load(page, 2); // warm
    const cpuBefore = treeCpuSeconds(web);
    const rate = await load(page, SECONDS);
    const cpuMs = ((treeCpuSeconds(web) - cpuBefore) * 1000) / (rate * SECONDS);
    console.log(`\n${page}: ${rate.toFixed(1)} requests/s at ${CLIENTS} clients, ${cpuMs.toFixed(1)} ms of the web server's CPU per request`);
    const { result: profiledRate, profile } = await profiled(web, inspectPort, () => load(page, SECONDS));
    if (!profile) continue;
    const file = path.join(os.tmpdir(), `botdesk-profile${page.replace(/[^a-z0-9]+/gi, "-")}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`  profiled: ${profiledRate.toFixed(1)} requests/s; ${file}`);
    console.log("  busy time under each file (inclusive):");
    for (const line of byFile(profile)) console.log(`   ${line}`);
    console.log("  hottest functions (self time, of all samples):");
    for (const line of hottest(profile, 25)) console.log(`   ${line}`);
  }
  if (PAGES.length > 0 && globalThis.WebSocket) console.log(`\nThe web server's live heap after a full GC: ${(await liveHeapMiB(inspectPort)).toFixed(0)} MiB`);
} finally {
  await stopBotdesk(server);
  await database.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
