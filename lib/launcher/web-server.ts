import { spawn, type ChildProcess } from "node:child_process";
import { describeExit, nextStreak, restartDelayMs, START_REFUSED_EXIT_CODE, tailKeeper } from "./crash-policy";

/**
 * The web server (`next start` or `next dev`) under the launcher: its output
 * passed through (less Next's own "Local:"/"Network:" lines; the launcher says
 * where the dashboard is reachable), and a crash is not a shutdown. When the
 * server dies on its own after it once served (out of memory, a fatal error,
 * a signal), the launcher says so with the cause and starts it again, backing
 * off 1 s, 2 s, 4 s … 30 s while it keeps dying; the database keeps running.
 * A server that dies before it ever served (a port in use, a broken build),
 * or that refuses its configuration (START_REFUSED_EXIT_CODE), is a failed
 * start: `onFailedStart`, and the launcher stops.
 */
export interface WebServerOptions {
  /** Node's arguments: flags, the preload, Next's CLI and its own (unless `spawn` is given). */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Starts the process instead of `node <args>` (a cluster worker: web-workers.ts); its stdin, stdout and stderr piped. */
  spawn?: () => ChildProcess;
  /** What the console calls it: "The web server" (the default), "Web worker 2 of 4". */
  label?: string;
  /** Said after a crash: what keeps running meanwhile. */
  meanwhile?: string;
  say: (line: string) => void;
  /** Each time a server is ready: 0 for the first, then the number of restarts so far. */
  onReady: (restarts: number) => void;
  onFailedStart: (code: number) => void;
}

export interface WebServer {
  /** The running server's pid (none while it waits to be restarted). */
  pid(): number | undefined;
  /** Stops it (SIGTERM, then SIGKILL after 10 s) and restarts it no more. */
  stop(): Promise<void>;
}

// Next prints these when it is listening ("✓ Ready in 1.2s"; "started server on …" in older versions).
const READY = /Ready in|started server/i;
// Next's own address lines, replaced by the launcher's: "Network:" shows a LAN address even for a loopback bind.
const NEXT_ADDRESS_LINE = /^\s*- (Local|Network):/;

export function superviseWebServer(opts: WebServerOptions): WebServer {
  let child: ChildProcess | undefined;
  let stopping = false;
  let everReady = false;
  let restarts = 0;
  let streak = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  const label = opts.label ?? "The web server";
  const meanwhile = opts.meanwhile ?? "the database keeps running";

  const start = () => {
    restartTimer = undefined;
    const startedAt = Date.now();
    const stderrTail = tailKeeper();
    let ready = false;
    let pending = "";
    const proc = opts.spawn ? opts.spawn() : spawn(process.execPath, opts.args, { env: opts.env, stdio: ["pipe", "pipe", "pipe"] });
    child = proc;
    // No EPIPE crash of the launcher when the server is gone before its stdin is written or closed.
    proc.stdin!.on("error", () => {});
    proc.stdout!.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        if (!NEXT_ADDRESS_LINE.test(line)) process.stdout.write(`${line}\n`);
        if (!ready && READY.test(line)) {
          ready = true;
          everReady = true;
          opts.onReady(restarts);
        }
      }
    });
    proc.stderr!.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderrTail.push(chunk.toString());
    });
    proc.once("exit", (code, signal) => {
      if (pending && !NEXT_ADDRESS_LINE.test(pending)) process.stdout.write(`${pending}\n`);
      if (stopping) return;
      // A Ctrl-C or SIGTERM that reached the server's process group reaches the launcher at the same moment, and its
      // handler (stop()) runs first; waiting a moment keeps a stop from ever being reported as a crash.
      setTimeout(() => {
        if (stopping) return;
        const cause = describeExit(code, signal, stderrTail.text());
        if (!everReady) {
          opts.say(`${label} exited before it was ready (${cause}).`);
          opts.onFailedStart(code ?? 1);
          return;
        }
        if (code === START_REFUSED_EXIT_CODE) {
          // Its listeners refused the configuration (said above, "Could not start: …"); Next may have said Ready first.
          opts.say(`${label} refused to start as configured; stopping.`);
          opts.onFailedStart(code);
          return;
        }
        streak = nextStreak(streak, Date.now() - startedAt);
        const delay = restartDelayMs(streak);
        const loop = streak > 1 ? ` It has stopped ${streak} times in a row; waiting longer each time (up to 30 s).` : "";
        opts.say(`${label} stopped unexpectedly: ${cause}. Restarting it in ${delay / 1000} s; ${meanwhile}.${loop}`);
        restarts++;
        restartTimer = setTimeout(start, delay);
      }, 100);
    });
  };

  start();
  return {
    pid: () => (child && child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    async stop() {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          proc.kill("SIGKILL");
          resolve();
        }, 10_000);
        proc.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
