/**
 * `npx tsx scripts/measure-start.ts [checkout]`: what running Botdesk costs,
 * measured from outside as a user would see it, on a fresh embedded database:
 *
 *   - first start and restart: from `npm start` to the first 200 of /sign-in
 *     (the build is made beforehand, so neither includes building);
 *   - idle memory of the whole process tree (RSS, and PSS, which counts
 *     PostgreSQL's shared memory once);
 *   - the data directory's size with the demo data;
 *   - head of line: a small signed-in page (/settings), alone and while two
 *     clients loop the heaviest page (a quiet bot's page, with 10,000 bots and
 *     100,000 events added).
 *
 * `checkout` defaults to this one; pointing it at another checkout (an older
 * release, say) measures that one the same way. `--memory` stops after the
 * restart (no head-of-line part); MEASURE_DATABASE_URL (an empty database on a
 * PostgreSQL server) measures with DATABASE_URL set instead of the embedded
 * database. Asserts nothing.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

const args = process.argv.slice(2);
const memoryOnly = args.includes("--memory");
const checkout = path.resolve(args.find((a) => !a.startsWith("--")) ?? ".");
const externalDatabaseUrl = process.env.MEASURE_DATABASE_URL ?? "";
const port = 3400 + Math.floor(Math.random() * 500);
const dbPort = 55400 + Math.floor(Math.random() * 500);
const base = `http://127.0.0.1:${port}`;
const password = "measure-password";
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-measure-"));
fs.chmodSync(dataDir, 0o755);
const env = {
  ...process.env,
  PORT: String(port),
  BOTDESK_DATA_DIR: dataDir,
  BOTDESK_EMBEDDED_DB_PORT: String(dbPort),
  // Its own SSH port: the default one may be taken by another Botdesk, and the tree measured must hold the SSH server.
  BOTDESK_SSH_PORT: process.env.BOTDESK_SSH_PORT ?? String(22400 + Math.floor(Math.random() * 500)),
  BOTDESK_ADMIN_PASSWORD: password,
  // The demo data on MEASURE_DATABASE_URL too (a production start would seed nothing).
  BOTDESK_DEMO: "1",
  AUTH_SECRET: "measure-secret-0123456789abcdef0123456789",
  NEXT_TELEMETRY_DISABLED: "1",
  // One web worker unless the run asks for more (BOTDESK_WEB_WORKERS=2 compares workers).
  BOTDESK_WEB_WORKERS: process.env.BOTDESK_WEB_WORKERS ?? "1",
  DATABASE_URL: externalDatabaseUrl,
};
const say = (line: string) => console.log(line);

function start(): { child: ChildProcess; ready: Promise<number> } {
  const t0 = performance.now();
  // `npm start` exactly as a user runs it (npm's own process included), in a process group of its own for Ctrl-C.
  const child = spawn("npm", ["start"], { cwd: checkout, env, stdio: ["pipe", "ignore", "inherit"], detached: true });
  const ready = (async () => {
    for (;;) {
      if (child.exitCode !== null) throw new Error("npm start exited before serving");
      const res = await fetch(`${base}/sign-in`).catch(() => null);
      if (res?.status === 200) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return { child, ready };
}

async function stop(child: ChildProcess): Promise<void> {
  process.kill(-child.pid!, "SIGINT");
  await new Promise((r) => child.once("exit", r));
}

function tree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const c of parents.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** What a process runs, shortened for the breakdown: "npm", "next-server", "scripts/start.mjs", "postgres", … */
function processName(pid: number): string {
  const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  const script = argv.slice(1).find((a) => /\.(m?[jt]s|cjs)$/.test(a) && !a.includes("exit-with-parent"));
  if (argv[0] && /node$/.test(argv[0]) && script) return path.relative(checkout, script).replace(/^node_modules\/next\/dist\/bin\/next$/, "next");
  return (argv[0] ?? "?").split(" ")[0]!.split("/").pop()!;
}

function memoryMb(root: number): { rss: number; pss: number; each: string } {
  let rss = 0;
  let pss = 0;
  const byName = new Map<string, { rss: number; pss: number; n: number }>();
  for (const pid of tree(root)) {
    try {
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      const r = Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      const p = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      rss += r;
      pss += p;
      const name = processName(pid);
      const sum = byName.get(name) ?? { rss: 0, pss: 0, n: 0 };
      byName.set(name, { rss: sum.rss + r, pss: sum.pss + p, n: sum.n + 1 });
    } catch {
      // gone
    }
  }
  const each = [...byName].map(([name, m]) => `${name}${m.n > 1 ? ` ×${m.n}` : ""} ${Math.round(m.rss / 1024)}/${Math.round(m.pss / 1024)}`).join(", ");
  return { rss: Math.round(rss / 1024), pss: Math.round(pss / 1024), each };
}

async function signIn(): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ csrfToken, login: "admin@example.com", password }),
  });
  const session = res.headers.getSetCookie().find((c) => c.includes("session-token"));
  if (!session) throw new Error(`sign-in failed (${res.status})`);
  return session.split(";")[0]!;
}

function databaseUrl(): string {
  if (externalDatabaseUrl) return externalDatabaseUrl;
  const file = path.join(dataDir, "postgres-password");
  if (!fs.existsSync(file)) return `postgresql://postgres@127.0.0.1:${dbPort}/postgres?sslmode=disable`; // the PGlite releases
  return `postgresql://botdesk:${encodeURIComponent(fs.readFileSync(file, "utf8").trim())}@127.0.0.1:${dbPort}/botdesk`;
}

async function timed(url: string, cookie: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { cookie } });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

say(`Measuring ${checkout} (data in ${dataDir})`);
spawnSync("npm", ["run", "build"], { cwd: checkout, env, stdio: "inherit" });

let run = start();
say(`first start to first 200: ${(await run.ready / 1000).toFixed(2)} s`);
const cookie = await signIn();
for (let i = 0; i < 5; i++) for (const p of ["/", "/users", "/settings", "/credentials"]) await timed(base + p, cookie);
await new Promise((r) => setTimeout(r, 10_000));
const idle = memoryMb(run.child.pid!);
say(`idle memory of the process tree: RSS ${idle.rss} MB, PSS ${idle.pss} MB (RSS/PSS each: ${idle.each})`);
await stop(run.child);
say(`data directory with the demo data: ${spawnSync("du", ["-sm", dataDir], { encoding: "utf8" }).stdout.split("\t")[0]} MB`);

run = start();
say(`restart to first 200: ${(await run.ready / 1000).toFixed(2)} s`);
if (memoryOnly) {
  await stop(run.child);
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}
const db = new pg.Client({ connectionString: databaseUrl() });
await db.connect();
const { rows } = await db.query<{ account_id: string }>(`SELECT m.account_id FROM principals p JOIN memberships m ON m.principal_id = p.id WHERE p.email = 'admin@example.com'`);
const accountId = rows[0]!.account_id;
await db.query(
  `INSERT INTO principals (id, kind, name, name_key, account_id, created_at)
   SELECT 'bot_measure' || g, 'bot', 'measure-bot-' || g, 'measure-bot-' || g, $1, now() - g * interval '1 second' FROM generate_series(1, 10000) g`,
  [accountId],
);
await db.query(
  `INSERT INTO events (id, account_id, type, principal_id, source, created_at)
   SELECT 'ev_measure' || g, $1, 'credential.updated', 'bot_measure' || (1 + g % 9999), 'api', now() - g * interval '1 second' FROM generate_series(1, 100000) g`,
  [accountId],
);
await db.query("ANALYZE");
await db.end();
const small = `${base}/settings`;
const heavy = `${base}/users/bots/bot_measure10000`; // the one bot with no events: its feed scans for nothing
const alone: number[] = [];
for (let i = 0; i < 20; i++) alone.push(await timed(small, cookie));
const heavyAlone: number[] = [];
for (let i = 0; i < 5; i++) heavyAlone.push(await timed(heavy, cookie));
let looping = true;
const loops = [0, 1].map(async () => {
  while (looping) await timed(heavy, cookie);
});
await new Promise((r) => setTimeout(r, 500));
const contended: number[] = [];
for (let i = 0; i < 20; i++) contended.push(await timed(small, cookie));
looping = false;
await Promise.all(loops);
say(`heaviest page (a quiet bot's page, 10,000 bots, 100,000 events) alone: p50 ${median(heavyAlone).toFixed(0)} ms`);
say(`small page (/settings) alone: p50 ${median(alone).toFixed(0)} ms; while 2 clients loop the heaviest: p50 ${median(contended).toFixed(0)} ms (${(median(contended) / median(alone)).toFixed(1)} ×)`);
await stop(run.child);
fs.rmSync(dataDir, { recursive: true, force: true });
