/**
 * What the launcher says and does when the web server dies on its own: the
 * cause, read from how it exited and the end of what it wrote to stderr, and
 * how long to wait before starting it again. Pure functions (crash-policy.test.ts).
 */

/**
 * The web server's exit code when it refuses to start as configured (lib/server/listeners.ts: a
 * stored key this AUTH_SECRET cannot decrypt, an operator's certificate that is unreadable or
 * expired): sysexits' EX_CONFIG. Starting it again would refuse again, so the launcher stops.
 */
export const START_REFUSED_EXIT_CODE = 78;

/** Restarts back off 1 s, 2 s, 4 s … up to 30 s while the server keeps dying. */
export const FIRST_DELAY_MS = 1_000;
export const MAX_DELAY_MS = 30_000;
/** A server that ran this long before dying was stable: its crash starts a new streak (1 s again). */
export const STABLE_MS = 60_000;

/** The wait before restart number `crashesInARow` of a streak (1 for the first crash). */
export function restartDelayMs(crashesInARow: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, crashesInARow - 1));
}

/** The crash count after a crash of a server that ran `uptimeMs`. */
export function nextStreak(previous: number, uptimeMs: number): number {
  return uptimeMs >= STABLE_MS ? 1 : previous + 1;
}

// What V8 prints when its heap is exhausted ("FATAL ERROR: Reached heap limit Allocation failed -
// JavaScript heap out of memory"; "… Allocation failed - process out of memory" on older versions).
const V8_OUT_OF_MEMORY = /JavaScript heap out of memory|Reached heap limit|Allocation failed - process out of memory|FatalProcessOutOfMemory/;

/**
 * `out of memory: the JavaScript heap reached its limit (signal SIGABRT)`,
 * `signal SIGKILL (kill -9, or the system's out-of-memory killer)`, `exit code 1`.
 */
export function describeExit(code: number | null, signal: NodeJS.Signals | null, stderrTail: string): string {
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  if (V8_OUT_OF_MEMORY.test(stderrTail)) return `out of memory: the JavaScript heap reached its limit (${how})`;
  if (signal === "SIGKILL") return `${how} (kill -9, or the system's out-of-memory killer)`;
  return how;
}

/** Keeps the last `max` characters written to a stream, for describeExit. */
export function tailKeeper(max = 16_384): { push(chunk: string): void; text(): string; clear(): void } {
  let tail = "";
  return {
    push(chunk) {
      tail = (tail + chunk).slice(-max);
    },
    text: () => tail,
    clear() {
      tail = "";
    },
  };
}
