import cluster from "node:cluster";
import { superviseWebServer, type WebServer } from "./web-server";

/**
 * Several web server processes sharing one port (BOTDESK_WEB_WORKERS), for an
 * instance to use every core. Node 20's `net` cannot share a port between
 * processes by itself (no SO_REUSEPORT), so the launcher is the primary of
 * Node's cluster: each worker runs `next start`, whose listen() the primary
 * answers with one shared socket, handing connections to the workers in turn.
 *
 * Worker 1 is the instance's own: it runs the listeners for agents (SSH, the
 * agent listener, the ingress, the forwarder; lib/server/listeners.ts) and the
 * background jobs (instrumentation.ts), so each runs once per instance, as
 * with one process; the others only serve HTTP. The database pool
 * (DATABASE_POOL_SIZE) is the instance's, divided among the workers.
 *
 * Each worker is supervised as the single web server is (web-server.ts): a
 * crash is said with its cause and the worker restarted with the same backoff
 * while the others keep serving; a worker that dies before it was ever ready,
 * or refuses its configuration, stops the launcher.
 */

export interface WorkerPlan {
  workers: number;
  /** DATABASE_POOL_SIZE handed to each worker: its share of the instance's pool. */
  poolPerWorker: number;
}

/**
 * How many workers and each one's pool: BOTDESK_WEB_WORKERS, or one per core but no more than
 * the pool has connections (each worker needs one). A count above the pool is refused.
 */
export function planWebWorkers(configured: number | undefined, poolSize: number, cores: number): WorkerPlan {
  if (configured !== undefined && configured > poolSize) {
    throw new Error(
      `BOTDESK_WEB_WORKERS (${configured}) is more than DATABASE_POOL_SIZE (${poolSize}), the connections the instance's workers share: each worker needs at least one. Raise DATABASE_POOL_SIZE or lower BOTDESK_WEB_WORKERS.`,
    );
  }
  const workers = configured ?? Math.max(1, Math.min(cores, poolSize));
  return { workers, poolPerWorker: Math.floor(poolSize / workers) };
}

/** The environment of worker `n` (1-based) of a plan: its pool share, and only worker 1 runs the listeners and the background jobs. */
export function workerEnv(env: NodeJS.ProcessEnv, n: number, plan: WorkerPlan): NodeJS.ProcessEnv {
  return {
    ...env,
    DATABASE_POOL_SIZE: String(plan.poolPerWorker),
    BOTDESK_WEB_WORKER: String(n),
    BOTDESK_SERVE_LISTENERS: n === 1 ? env.BOTDESK_SERVE_LISTENERS : "",
  };
}

export interface WebWorkersOptions {
  plan: WorkerPlan;
  /** Node's flags for each worker (the heap cap, the preload). */
  execArgv: string[];
  /** Next's CLI and its arguments: [nextBin, "start", "--port", …]. */
  args: string[];
  env: NodeJS.ProcessEnv;
  say: (line: string) => void;
  /** Once every worker is first ready (restarts 0), then each time a restarted worker is ready again. */
  onReady: (restarts: number, worker: number) => void;
  onFailedStart: (code: number) => void;
}

export function superviseWebWorkers(opts: WebWorkersOptions): WebServer {
  const [exec, ...args] = opts.args;
  // Piped stdio (silent), as the single server's: the supervisor reads "Ready in" and a crash's stderr, and keeps stdin
  // open so a worker exits when the launcher dies (exit-with-parent.cjs; a worker also exits when its IPC channel closes).
  cluster.setupPrimary({ exec, args, execArgv: opts.execArgv, silent: true });
  const total = opts.plan.workers;
  let firstReady = 0;
  const servers: WebServer[] = [];
  for (let n = 1; n <= total; n++) {
    servers.push(
      superviseWebServer({
        args: [],
        env: opts.env,
        spawn: () => cluster.fork(workerEnv(opts.env, n, opts.plan)).process,
        label: `Web worker ${n} of ${total}`,
        meanwhile: total > 1 ? "the other workers keep serving" : "the database keeps running",
        say: opts.say,
        onReady: (restarts) => {
          if (restarts > 0) opts.onReady(restarts, n);
          else if (++firstReady === total) opts.onReady(0, n);
        },
        onFailedStart: opts.onFailedStart,
      }),
    );
  }
  return {
    pid: () => servers[0]!.pid(),
    // All at once (SIGTERM, SIGKILL after 10 s each): worker 1's SSH server ends its sessions in the database before it exits.
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
