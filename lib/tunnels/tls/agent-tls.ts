import { readEnv } from "@/lib/env";
import { log } from "@/lib/server/log";
import { agentCertificateNames, certificateNames, isDue, privateKeyPem, sameNames } from "./certificates";
import { ensureAgentCertificates, type AgentCertificates } from "./ensure-agent-certificates";
import { operatorPairSource } from "./operator-source";
import { readPublicPart, type ServerKeysAccess } from "./server-keys";
import { CHECK_EVERY_MS, watchedSource, type TlsSource } from "./tls-source";

export interface AgentTls extends TlsSource {
  /** `generated`: Botdesk's own CA signs the certificate; `operator`: BOTDESK_AGENT_TLS_CERT / _KEY. */
  readonly source: "generated" | "operator";
  /** The CA's PEM agents trust (`session_ca_cert`); null with an operator's certificate (agents use `root_cas: "host"`). */
  readonly caPem: string | null;
}

export interface AgentTlsOptions extends ServerKeysAccess {
  /** Extra names for the generated certificate (BOTDESK_AGENT_TLS_NAMES). */
  names?: readonly string[];
  /** An operator's pair instead of the generated one (BOTDESK_AGENT_TLS_CERT / _KEY). */
  operator?: { certFile: string; keyFile: string };
  now?: () => Date;
  /** How often to look for a renewed certificate (another instance's, or one due). */
  checkEveryMs?: number;
  log?: (line: string) => void;
}


const day = (d: Date) => d.toISOString().slice(0, 10);
const REASONS: Record<NonNullable<AgentCertificates["made"]>, string> = {
  ca: "made a private CA (valid 10 years) and a certificate signed by it",
  certificate: "made a certificate signed by the stored CA",
  "renewed:due": "renewed the certificate (30 days or fewer were left), signed by the same CA",
  "renewed:names": "renewed the certificate for the names now configured (BOTDESK_AGENT_TLS_NAMES), signed by the same CA",
  "renewed:ca": "made a certificate signed by the stored CA (the stored one was not)",
};

/**
 * The agent listener's TLS: an operator's pair if configured, else Botdesk's
 * own CA and certificate, shared through the database by every instance and
 * renewed in time (ensureAgentCertificates). Every `checkEveryMs` it looks for
 * a renewed certificate: its own renewal when due, or one another instance
 * made, and gives it to the listeners (`onChange`) without a restart.
 */
export async function createAgentTls(options: AgentTlsOptions = {}): Promise<AgentTls> {
  const log = options.log ?? (() => {});
  const now = options.now ?? (() => new Date());
  const every = options.checkEveryMs ?? CHECK_EVERY_MS;
  if (options.operator) {
    const source = operatorPairSource({ names: ["BOTDESK_AGENT_TLS_CERT", "BOTDESK_AGENT_TLS_KEY"], ...options.operator }, { now, everyMs: every, log, label: "Agent TLS" });
    return { ...source, source: "operator", caPem: null };
  }
  const names = agentCertificateNames(options.names ?? []);
  const ensure = (renewForNames: boolean) => ensureAgentCertificates({ prisma: options.prisma, secret: options.secret, names, now: now(), renewForNames });
  let state = await ensure(true);
  const contextOf = (s: AgentCertificates) => ({ cert: s.certPem, key: privateKeyPem(s.keyDer) });
  const describe = (s: AgentCertificates) => `certificate for ${certificateNames(s.certPem).join(", ")}, valid until ${day(s.notAfter)}`;
  log(`Agent TLS: ${state.made ? REASONS[state.made] : "the CA and certificate from the database"} (${describe(state)}). Agents trust the CA at GET /agent-ca.pem.`);

  const source = watchedSource(
    contextOf(state),
    async (set) => {
      // The cheap look first: one public column, no lock, no decryption.
      const stored = await readPublicPart("agent-server", options.prisma);
      if (stored === state.certPem && !isDue(state.notAfter, now())) return;
      const next = await ensure(false);
      if (next.certPem === state.certPem) return;
      state = next;
      log(`Agent TLS: ${next.made ? REASONS[next.made] : "loaded the certificate another instance renewed"} (${describe(next)}).`);
      if (!sameNames(certificateNames(next.certPem), names)) {
        log(`Agent TLS: the certificate lacks or adds names to this instance's (${names.join(", ")}): give every instance the same BOTDESK_AGENT_TLS_NAMES.`);
      }
      set(contextOf(next));
    },
    every,
    log,
  );
  return {
    ...source,
    source: "generated",
    get caPem() {
      return state.caPem;
    },
  };
}

const SINGLETON = Symbol.for("botdesk.agentTls");
type WithSingleton = typeof globalThis & { [SINGLETON]?: Promise<AgentTls> };

/**
 * This process's agent TLS, from the settings (made on the first call, the
 * listeners' start: never at build time or in the launcher). A failure (an
 * unreadable stored key, an operator pair refused) rejects every caller until
 * the next call tries again.
 */
export function agentTls(): Promise<AgentTls> {
  const g = globalThis as WithSingleton;
  if (!g[SINGLETON]) {
    const env = readEnv();
    const operator = env.BOTDESK_AGENT_TLS_CERT && env.BOTDESK_AGENT_TLS_KEY ? { certFile: env.BOTDESK_AGENT_TLS_CERT, keyFile: env.BOTDESK_AGENT_TLS_KEY } : undefined;
    const made = createAgentTls({ names: env.BOTDESK_AGENT_TLS_NAMES, operator, log: (line) => log.info("botdesk", line) });
    g[SINGLETON] = made;
    made.catch(() => {
      if (g[SINGLETON] === made) delete g[SINGLETON];
    });
  }
  return g[SINGLETON];
}
