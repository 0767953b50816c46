import type tls from "node:tls";

/** Ten minutes: a renewal happens with 30 days left, another instance's is seen within this, and so are an operator's new files. */
export const CHECK_EVERY_MS = 600_000;

/**
 * What a TLS listener needs to serve a certificate that may change while it
 * runs: `tls.createServer(source.current())`, then
 * `source.onChange((options) => server.setSecureContext(options))`. New
 * connections get the new certificate; open ones keep theirs.
 */
export interface TlsSource {
  current(): tls.SecureContextOptions;
  /** Calls `listener` with each new context's options; returns the way to stop. */
  onChange(listener: (options: tls.SecureContextOptions) => void): () => void;
  /** Looks for a new certificate now (a periodic check does this by itself). */
  refresh(): Promise<void>;
  /** Stops the periodic check. */
  close(): void;
}

/** Holds the current options, tells listeners of changes, and runs `check` every `everyMs` (never two at once). */
export function watchedSource(
  initial: tls.SecureContextOptions,
  check: (set: (options: tls.SecureContextOptions) => void) => Promise<void>,
  everyMs: number,
  log: (line: string) => void,
): TlsSource {
  let options = initial;
  const listeners = new Set<(options: tls.SecureContextOptions) => void>();
  const set = (next: tls.SecureContextOptions) => {
    options = next;
    for (const listener of listeners) {
      try {
        listener(next);
      } catch (error) {
        log(`TLS: a listener could not take the new certificate: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  let running: Promise<void> | null = null;
  const refresh = () => {
    running ??= check(set).finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    // A failed check (the database away for a moment) is said and tried again at the next tick.
    refresh().catch((error: unknown) => log(`TLS: checking for a renewed certificate failed: ${error instanceof Error ? error.message : String(error)}`));
  }, everyMs);
  timer.unref();
  return {
    current: () => options,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    refresh,
    close: () => clearInterval(timer),
  };
}
