import { loadPemPair, type PairSettings, type PemPair } from "./pem-pair";
import { watchedSource, type TlsSource } from "./tls-source";

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * An operator's certificate pair, checked at start (a PemPairError says what
 * is wrong: the start fails rather than serve something clients refuse), then
 * read again every `everyMs`: a renewed pair written over the files (certbot,
 * cert-manager) is served without a restart. A pair that fails the checks
 * then (e.g. the certificate written before its key) is reported, and the
 * last good one stays until the files agree again.
 */
export function operatorPairSource(settings: PairSettings, options: { now: () => Date; everyMs: number; log: (line: string) => void; label: string }): TlsSource {
  const { log, label } = options;
  const describe = (p: PemPair) => `${p.subjectAltName || "no subject alternative names"}, valid until ${day(p.notAfter)}`;
  const warnIfSoon = (p: PemPair) => {
    if (p.expiresSoon) log(`${label}: the certificate in ${settings.certFile} expires on ${day(p.notAfter)}: renew it (the new files are read without a restart).`);
  };
  let pair = loadPemPair(settings, options.now());
  log(`${label}: the operator's certificate from ${settings.certFile} (${describe(pair)}).`);
  warnIfSoon(pair);
  let lastProblem: string | null = null;
  return watchedSource(
    { cert: pair.certPem, key: pair.keyPem },
    async (set) => {
      let next: PemPair;
      try {
        next = loadPemPair(settings, options.now());
      } catch (error) {
        const problem = error instanceof Error ? error.message : String(error);
        // Said once per problem, not every check.
        if (problem !== lastProblem) log(`${label}: keeping the certificate in use: ${problem}`);
        lastProblem = problem;
        return;
      }
      lastProblem = null;
      if (next.certPem === pair.certPem && next.keyPem === pair.keyPem) return;
      pair = next;
      log(`${label}: loaded the renewed certificate from ${settings.certFile} (${describe(next)}).`);
      warnIfSoon(next);
      set({ cert: next.certPem, key: next.keyPem });
    },
    options.everyMs,
    log,
  );
}
