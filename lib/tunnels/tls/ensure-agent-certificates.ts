import { certificateNames, isDue, makeCa, makeServerCertificate, sameNames } from "./certificates";
import { withServerKeysLocked, type ServerKeysAccess, type StoredKey } from "./server-keys";
import { x509 } from "./x509";

export interface AgentCertificates {
  caPem: string;
  certPem: string;
  /** PKCS#8 DER of the server certificate's key: in memory only. */
  keyDer: Buffer;
  notAfter: Date;
  /** What this call did: made the CA (and so a certificate), made or renewed the certificate, or kept both. */
  made: "ca" | "certificate" | "renewed:due" | "renewed:names" | "renewed:ca" | null;
}

export interface EnsureOptions extends ServerKeysAccess {
  /** The SANs the certificate should have (agentCertificateNames). */
  names: readonly string[];
  now: Date;
  /** Renew when the stored certificate's names differ from `names` (at start; the periodic check only renews what is due). */
  renewForNames: boolean;
}

async function signedBy(certPem: string, caPem: string): Promise<boolean> {
  try {
    return await new x509.X509Certificate(certPem).verify({ publicKey: new x509.X509Certificate(caPem), signatureOnly: true });
  } catch {
    return false;
  }
}

/**
 * The agent listener's CA and certificate from the database, made on first
 * use and renewed when due, all under the server keys' lock: instances that
 * start at once on an empty database make one CA and one certificate, and a
 * renewal by one is what the others load. A stored key this AUTH_SECRET cannot
 * decrypt throws ServerKeyUnreadableError; nothing is ever made over it.
 */
export async function ensureAgentCertificates(options: EnsureOptions): Promise<AgentCertificates> {
  const { names, now } = options;
  return withServerKeysLocked(options, async (keys) => {
    let made: AgentCertificates["made"] = null;
    let ca = await keys.read("agent-ca");
    if (!ca) {
      const issued = await makeCa(now);
      ca = { publicPart: issued.certPem, privateKey: issued.keyDer, notBefore: issued.notBefore, notAfter: issued.notAfter };
      await keys.write("agent-ca", ca);
      made = "ca";
    }
    let server: StoredKey | null = await keys.read("agent-server");
    const reason: AgentCertificates["made"] = !server
      ? "certificate"
      : !(await signedBy(server.publicPart, ca.publicPart))
        ? "renewed:ca"
        : isDue(server.notAfter ?? new Date(0), now)
          ? "renewed:due"
          : options.renewForNames && !sameNames(certificateNames(server.publicPart), names)
            ? "renewed:names"
            : null;
    if (!server || reason) {
      const issued = await makeServerCertificate({ certPem: ca.publicPart, keyDer: ca.privateKey }, names, now);
      server = { publicPart: issued.certPem, privateKey: issued.keyDer, notBefore: issued.notBefore, notAfter: issued.notAfter };
      await keys.write("agent-server", server);
      made ??= reason;
    }
    return { caPem: ca.publicPart, certPem: server.publicPart, keyDer: server.privateKey, notAfter: server.notAfter!, made };
  });
}
