/**
 * `npm start`: the one process a user runs. Without DATABASE_URL it runs the
 * embedded PostgreSQL (a real server from npm, its cluster under
 * BOTDESK_DATA_DIR, on a loopback port); with it, it uses that server. Then it
 * applies migrations, prepares an empty database (the demo account on the
 * embedded one or with BOTDESK_DEMO=1, else a one-time setup link for the
 * first account), builds the app when its sources changed, and runs Next.js
 * as a child process (which also runs the listeners for agents), bound to
 * BOTDESK_HOST. `npm start` runs this file as plain JavaScript (scripts/start.mjs
 * compiles it), so this supervisor holds no TypeScript loader; it never loads
 * Prisma or the password hasher either (the seed runs in a process of its own).
 *
 * What it started stops with it, however it ends: Ctrl-C, SIGTERM or SIGHUP
 * stop the web server, then the database ("Stopped. Your data is saved.");
 * when npm's own process (or whatever started the launcher) dies, the launcher
 * notices within a second and does the same (watch-starter.ts); when the
 * launcher itself is killed, the web server and the database's watchdog see
 * their pipe from it close and stop. A web server that dies on its own is
 * restarted (web-server.ts), the database untouched.
 *
 *   npm start            production server (builds first when needed)
 *   npm run dev          the same with `next dev`
 *   npm run build        only the build (when sources changed), no database
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import pg from "pg";
import { readEnv } from "../lib/env";
import { startEmbeddedPostgres, DataDirInUseError } from "../lib/db/embedded";
import { describeDatabaseUrlProblem, explainConnectionError } from "../lib/db/connection-errors";
import { applyMigrations } from "../lib/db/migrate";
import { DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL } from "../lib/db/demo";
import { oneTimePassword } from "../lib/domain/people/one-time-password";
import { issueSetupToken } from "../lib/domain/setup/issue-setup-token";
import { setupLink } from "../lib/domain/setup/setup-token";
import { watchStarters } from "../lib/launcher/watch-starter";
import { superviseWebServer, type WebServer } from "../lib/launcher/web-server";
import { planWebWorkers, superviseWebWorkers } from "../lib/launcher/web-workers";
import { ensureAuthSecret } from "../lib/server/auth-secret";
import { dashboardUrl, reachability, resolveBindHost } from "../lib/server/bind-host";
import { buildIsCurrent, sourceStamp } from "../lib/server/build-stamp";

const root = process.cwd();
const dev = process.argv.includes("--dev");
const buildOnly = process.argv.includes("--build-only");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
// Every Node process the launcher starts keeps a pipe from it on its stdin and exits when it closes (exit-with-parent.cjs).
const preload = path.join(root, "scripts", "exit-with-parent.cjs");
const say = (line: string) => console.log(`[botdesk] ${line}`);
// A terminal or pipe that went away must not crash the launcher in the middle of stopping what it started.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});

/** The step running now (migrations run in this process; generate, seed and build in their own). */
let step: ChildProcess | undefined;

/** Builds the production app unless the last build is of the current sources. */
async function ensureBuild(env: NodeJS.ProcessEnv): Promise<void> {
  if (buildIsCurrent(root)) return;
  say("Building the app (first start, or its sources changed)…");
  const stamp = sourceStamp(root);
  await run([nextBin, "build"], { ...env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" });
  writeFileSync(path.join(root, ".next", "botdesk-source-stamp"), stamp);
}

async function main(): Promise<void> {
  const env = readEnv();
  if (buildOnly) {
    await ensureBuild(process.env);
    return;
  }
  const dataDir = path.resolve(root, env.BOTDESK_DATA_DIR);
  const host = resolveBindHost(env.BOTDESK_HOST, Boolean(env.DATABASE_URL));
  const dashboard = dashboardUrl(host, env.PORT);
  // Web workers (web-workers.ts), refused before anything starts when the pool cannot give each one a connection. `next dev` compiles in its process: one.
  const plan = dev ? { workers: 1, poolPerWorker: env.DATABASE_POOL_SIZE } : planWebWorkers(env.BOTDESK_WEB_WORKERS, env.DATABASE_POOL_SIZE, availableParallelism());
  let databaseUrl = env.DATABASE_URL;
  let web: WebServer | undefined;
  let stopDatabase: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    step?.kill("SIGTERM");
    // The web server's SSH server ends its sessions in the database before the web server exits.
    await web?.stop();
    // "Saved" is only true of a database this process ran and has now shut down cleanly.
    if (stopDatabase) {
      await stopDatabase();
      say("Stopped. Your data is saved.");
    } else if (web) {
      say("Stopped.");
    }
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));
  // The terminal closed.
  process.on("SIGHUP", () => void shutdown(0));
  watchStarters((starter) => {
    say(`The process that started Botdesk (${starter.pid}: ${starter.command.slice(0, 60)}) is gone; stopping.`);
    void shutdown(1);
  });

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
      await run([path.join(root, "scripts", "prisma.mjs"), "generate"], process.env);
    }
    const firstRun = await prepareEmptyDatabase(databaseUrl, dashboard, env.DATABASE_URL === undefined || env.BOTDESK_DEMO, env.BOTDESK_ADMIN_PASSWORD);

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
      // The web server runs the listeners for agents (lib/server/listeners.ts), each unless its port is "off",
      // bound where the dashboard is: BOTDESK_HOST as resolved here (empty: every interface).
      BOTDESK_SERVE_LISTENERS: "1",
      BOTDESK_HOST: host ?? "",
    };

    if (!dev) await ensureBuild(childEnv);
    if (stopping) return;

    // The production server's old space is capped at 384 MiB unless NODE_OPTIONS sets a size: without
    // a cap V8 grew the server to ~750 MiB under 10 concurrent clients and kept it; with it, ~520 MiB
    // (figures in bench/README.md). `next dev` compiles in this process: it keeps Node's default.
    const heap = dev || /max[-_]old[-_]space[-_]size/.test(process.env.NODE_OPTIONS ?? "") ? [] : ["--max-old-space-size=384"];
    const hostname = host === undefined ? [] : ["--hostname", host];
    const serverArgs = [nextBin, dev ? "dev" : "start", "--port", String(env.PORT), ...hostname];
    // Only the server itself watches its stdin: Next's workers inherit the --require, not this variable (the preload drops it).
    const serverEnv = { ...childEnv, BOTDESK_STDIN_FROM_LAUNCHER: "1" };
    const onReady = (restarts: number, worker?: number) => {
      if (restarts > 0) {
        say(`${worker === undefined ? "The web server" : `Web worker ${worker}`} is running again (restart ${restarts}): ${dashboard}`);
        return;
      }
      say(`Dashboard: ${dashboard} ${reachability(host)}`);
      for (const line of firstRun.splice(0)) say(line);
      say("Press Ctrl-C to stop.");
    };
    if (plan.workers > 1) {
      say(`Web server: ${plan.workers} workers sharing port ${env.PORT} (BOTDESK_WEB_WORKERS), ${plan.poolPerWorker} database connections each; worker 1 runs the listeners for agents and the background jobs.`);
      web = superviseWebWorkers({ plan, execArgv: [...heap, "--require", preload], args: serverArgs, env: serverEnv, say, onReady, onFailedStart: (code) => void shutdown(code) });
    } else {
      web = superviseWebServer({ args: [...heap, "--require", preload, ...serverArgs], env: serverEnv, say, onReady, onFailedStart: (code) => void shutdown(code) });
    }
  } catch (error) {
    // Stopped in the middle of starting (Ctrl-C, npm gone): the step that failed was cut short on purpose.
    if (stopping) return;
    if (error instanceof DataDirInUseError) console.error(`[botdesk] ${error.message}`);
    else console.error(`[botdesk] Could not start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
}

/**
 * On a database without any account: the demo account (its people's password
 * from BOTDESK_ADMIN_PASSWORD, or random), or else a one-time setup link.
 * Returns what to print once the dashboard is up.
 */
async function prepareEmptyDatabase(url: string, dashboard: string, demo: boolean, configuredPassword: string | undefined): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if ((await client.query<{ any: boolean }>("SELECT EXISTS (SELECT 1 FROM accounts) AS any")).rows[0]!.any) return [];
    if (!demo) {
      const issued = await issueSetupToken(client);
      if (!issued) return [];
      return [
        "No account yet. Create the first one (you become its owner) with this one-time link, valid for 24 hours:",
        `    ${setupLink(dashboard, issued.token)}`,
        "(Reaching Botdesk at another address, through a proxy or a domain? Open the same /setup?token=… there. `npm run setup-link` prints a new link.)",
      ];
    }
  } finally {
    await client.end();
  }
  // Seeding loads Prisma and the password hasher: in a process of its own. A generated password reaches it
  // through a pipe (not its environment, which /proc shows); this process prints it once the dashboard is up.
  const password = configuredPassword ?? oneTimePassword();
  const seeded = await run([path.join(root, "scripts", "seed.ts")], { ...process.env, DATABASE_URL: url }, [0, 3], ["--import", "tsx"], configuredPassword ? undefined : password);
  if (seeded !== 0) return [];
  const signIn = `Sign in as ${DEMO_ADMIN_EMAIL} (owner) or ${DEMO_MEMBER_EMAIL} (member) of the demo account "Acme" with the password`;
  if (configuredPassword) return [`${signIn} from BOTDESK_ADMIN_PASSWORD.`];
  return [signIn, `    ${password}`, "It is shown only this once and stored only as a hash: note it now (change it in Settings after signing in)."];
}

/**
 * Runs a Node script to completion, its output shown as it comes; returns its exit code. It keeps a pipe
 * from this process on its stdin and exits if this process dies (exit-with-parent.cjs); `secret`, if
 * given, is written to its file descriptor 3.
 */
async function run(args: string[], env: NodeJS.ProcessEnv, okCodes: (number | null)[] = [0], nodeFlags: string[] = [], secret?: string): Promise<number | null> {
  const child = spawn(process.execPath, [...nodeFlags, "--require", preload, ...args], {
    env: { ...env, BOTDESK_STDIN_FROM_LAUNCHER: "1" },
    stdio: ["pipe", "inherit", "inherit", ...(secret === undefined ? [] : ["pipe" as const])],
  });
  step = child;
  child.stdin!.on("error", () => {});
  if (secret !== undefined) {
    const fd3 = child.stdio[3] as NodeJS.WritableStream & { on(e: "error", f: () => void): void };
    fd3.on("error", () => {});
    fd3.end(secret);
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  }).finally(() => (step = undefined));
  if (!okCodes.includes(code)) throw new Error(`${path.basename(args[0]!)} ${args.slice(1).join(" ")} failed (exit ${code}).`);
  return code;
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
