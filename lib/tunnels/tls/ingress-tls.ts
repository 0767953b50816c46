import { readEnv } from "@/lib/env";
import { log } from "@/lib/server/log";
import { operatorPairSource } from "./operator-source";
import { CHECK_EVERY_MS, type TlsSource } from "./tls-source";

const SINGLETON = Symbol.for("botdesk.ingressTls");
type WithSingleton = typeof globalThis & { [SINGLETON]?: Promise<TlsSource | null> };

/**
 * The ingress's certificate for HTTPS (BOTDESK_INGRESS_TLS_CERT / _KEY, e.g. a
 * wildcard for the tunnel domain), checked at the first call and read again
 * when the files change; null when none is configured (the ingress speaks
 * plain HTTP). Botdesk never makes one itself: browsers would not trust it.
 */
export function ingressTls(): Promise<TlsSource | null> {
  const g = globalThis as WithSingleton;
  if (!g[SINGLETON]) {
    const env = readEnv();
    const made = (async () => {
      if (!env.BOTDESK_INGRESS_TLS_CERT || !env.BOTDESK_INGRESS_TLS_KEY) return null;
      return operatorPairSource(
        { names: ["BOTDESK_INGRESS_TLS_CERT", "BOTDESK_INGRESS_TLS_KEY"], certFile: env.BOTDESK_INGRESS_TLS_CERT, keyFile: env.BOTDESK_INGRESS_TLS_KEY },
        { now: () => new Date(), everyMs: CHECK_EVERY_MS, log: (line) => log.info("botdesk", line), label: "Ingress TLS" },
      );
    })();
    g[SINGLETON] = made;
    made.catch(() => {
      if (g[SINGLETON] === made) delete g[SINGLETON];
    });
  }
  return g[SINGLETON];
}
