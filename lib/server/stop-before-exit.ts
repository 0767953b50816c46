/** How long a listener may take to end its sessions and write what they carried before the process exits anyway. */
export const STOP_TIMEOUT_MS = 5_000;

/**
 * Makes `stop` (ending a listener's sessions, writing its metered traffic) run
 * once before the web server's process exits, within STOP_TIMEOUT_MS: Next.js
 * closes the HTTP server on SIGTERM and SIGINT and then calls process.exit, so
 * `stop` starts at the signal, and every exit (Next.js's, exit-with-parent.cjs's
 * when the launcher dies) waits for it. A failure is given to `onError`, never
 * thrown. Returns the bounded stop, the same promise however often called.
 */
export function stopBeforeExit(stop: () => Promise<void>, onError: (error: unknown) => void): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  const bounded = (): Promise<void> => {
    stopping ??= Promise.race([stop().catch(onError), new Promise<void>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS).unref())]);
    return stopping;
  };
  process.prependListener("SIGTERM", () => void bounded());
  process.prependListener("SIGINT", () => void bounded());
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    void bounded().finally(() => exit(code));
  }) as typeof process.exit;
  return bounded;
}
