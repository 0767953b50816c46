/**
 * `npm start`: the one process a user runs. Without DATABASE_URL it runs the
 * embedded PostgreSQL (a real server from npm, its cluster under
 * BOTDESK_DATA_DIR, on a loopback port); with it, it uses that server. Then it applies migrations, seeds an
 * empty database with demo data, builds the app when its sources changed, and
 * runs Next.js as a child process (which also runs the SSH server for agents)
 * until Ctrl-C, when it stops both cleanly. `npm start` runs this file as plain
 * JavaScript (scripts/start.mjs compiles it), so this supervisor holds no
 * TypeScript loader; it never loads Prisma either (the seed runs in a process
 * of its own).
 *
 *   npm start            production server (builds first when needed)
 *   npm run dev          the same with `next dev`
 *   npm run build        only the build (when sources changed), no database
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { readEnv } from "../lib/env";
import { startEmbeddedPostgres, DataDirInUseError } from "../lib/db/embedded";
import { describeDatabaseUrlProblem, explainConnectionError } from "../lib/db/connection-errors";
import { applyMigrations } from "../lib/db/migrate";
import { DEMO_ADMIN_EMAIL } from "../lib/db/demo";
import { ensureAuthSecret } from "../lib/server/auth-secret";
import { buildIsCurrent, sourceStamp } from "../lib/server/build-stamp";

const root = process.cwd();
const dev = process.argv.includes("--dev");
const buildOnly = process.argv.includes("--build-only");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
const say = (line: string) => console.log(`[botdesk] ${line}`);

/** Builds the production app unless the last build is of the current sources. */
async function ensureBuild(env: NodeJS.ProcessEnv): Promise<void> {
  if (buildIsCurrent(root)) return;
  say("Building the app (first start, or its sources changed)…");
  const stamp = sourceStamp(root);
  await run(process.execPath, [nextBin, "build"], { ...env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" });
  writeFileSync(path.join(root, ".next", "botdesk-source-stamp"), stamp);
}

async function main(): Promise<void> {
  const env = readEnv();
  if (buildOnly) {
    await ensureBuild(process.env);
    return;
  }
  const dataDir = path.resolve(root, env.BOTDESK_DATA_DIR);
  let databaseUrl = env.DATABASE_URL;
  let child: ChildProcess | undefined;
  let stopDatabase: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { child?.kill("SIGKILL"); resolve(); }, 10_000);
        child!.once("exit", () => { clearTimeout(timer); resolve(); });
      });
    }
    // "Saved" is only true of a database this process ran and has now shut down cleanly.
    // The web server's SSH server has ended its sessions in the database before the web server exited.
    if (stopDatabase) {
      await stopDatabase();
      say("Stopped. Your data is saved.");
    } else if (child) {
      say("Stopped.");
    }
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    if (databaseUrl) {
      const problem = describeDatabaseUrlProblem(databaseUrl);
      if (problem) throw new Error(problem);
      say(`Data: the PostgreSQL server at ${redact(databaseUrl)} (DATABASE_URL).`);
    } else {
      const embedded = await startEmbeddedPostgres({ dataDir, port: env.BOTDESK_EMBEDDED_DB_PORT, log: say });
      databaseUrl = embedded.url;
      stopDatabase = embedded.stop;
      void embedded.exited.then(() => {
        if (stopping) return;
        say(`The embedded PostgreSQL stopped unexpectedly; see ${path.join(dataDir, "postgres.log")}.`);
        stopDatabase = undefined;
        void shutdown(1);
      });
      say(`Data: embedded PostgreSQL in ${embedded.pgdata} (set DATABASE_URL to use a PostgreSQL server instead).`);
    }
    // The runner says what it applied, or that nothing was pending.
    await applyMigrations({ connectionString: databaseUrl, log: say }).catch((error: unknown) => {
      throw new Error(explainConnectionError(error, env.DATABASE_URL ? "DATABASE_URL" : "the embedded database"), { cause: error });
    });

    if (!existsSync(path.join(root, "lib", "db", "generated", "client.ts"))) {
      await run(process.execPath, [path.join(root, "scripts", "prisma.mjs"), "generate"], process.env);
    }
    // Seeding loads Prisma and the password hasher: only for an empty database, and in a process of its own.
    if (!(await hasAccounts(databaseUrl))) {
      await run(process.execPath, ["--import", "tsx", path.join(root, "scripts", "seed.ts")], { ...process.env, DATABASE_URL: databaseUrl }, [0, 3]);
    }

    const auth = ensureAuthSecret(dataDir, env.AUTH_SECRET);
    if (auth.source !== "env") {
      say(`AUTH_SECRET: ${auth.source === "generated" ? "generated and saved" : "read"} in ${path.join(dataDir, "auth-secret")}.`);
      if (env.DATABASE_URL) say("Several instances sharing this database need the same AUTH_SECRET: set it in the environment.");
    }

    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      AUTH_SECRET: auth.secret,
      AUTH_TRUST_HOST: "true",
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: dev ? "development" : "production",
      // The web server runs the listeners for agents (lib/server/listeners.ts), each unless its port is "off".
      BOTDESK_SERVE_LISTENERS: "1",
    };

    if (!dev) await ensureBuild(childEnv);

    // The server keeps this process's pipe on its stdin and exits when it closes (see exit-with-parent.cjs).
    const preload = path.join(root, "scripts", "exit-with-parent.cjs");
    // The production server's old space is capped at 384 MiB unless NODE_OPTIONS sets a size: without
    // a cap V8 grew the server to ~750 MiB under 10 concurrent clients and kept it; with it, ~520 MiB
    // (figures in bench/README.md). `next dev` compiles in this process: it keeps Node's default.
    const heap = dev || /max[-_]old[-_]space[-_]size/.test(process.env.NODE_OPTIONS ?? "") ? [] : ["--max-old-space-size=384"];
    child = spawn(process.execPath, [...heap, "--require", preload, nextBin, dev ? "dev" : "start", "--port", String(env.PORT)], {
      // Only the server itself watches its stdin: Next's workers inherit the --require, not this variable (the preload drops it).
      env: { ...childEnv, BOTDESK_STDIN_FROM_LAUNCHER: "1" },
      stdio: ["pipe", "pipe", "inherit"],
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      process.stdout.write(text);
      if (/Ready in|started server/i.test(text)) {
        say(`Botdesk is running at http://localhost:${env.PORT}`);
        say(`Sign in as ${DEMO_ADMIN_EMAIL} (on a seeded database). Press Ctrl-C to stop.`);
      }
    });
    child.on("exit", (code) => {
      if (!stopping) {
        say(`The web server exited (code ${code}).`);
        void shutdown(code ?? 1);
      }
    });
  } catch (error) {
    if (error instanceof DataDirInUseError) console.error(`[botdesk] ${error.message}`);
    else console.error(`[botdesk] Could not start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
}

async function hasAccounts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ any: boolean }>("SELECT EXISTS (SELECT 1 FROM accounts) AS any")).rows[0]!.any;
  } finally {
    await client.end();
  }
}

/** Runs a command to completion, its output shown as it comes. */
async function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, okCodes: (number | null)[] = [0]): Promise<void> {
  const child = spawn(cmd, args, { env, stdio: "inherit" });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (!okCodes.includes(code)) throw new Error(`${path.basename(args[0] ?? cmd)} ${args.slice(1).join(" ")} failed (exit ${code}).`);
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

main().catch((error: unknown) => {
  console.error("[botdesk] Could not start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
