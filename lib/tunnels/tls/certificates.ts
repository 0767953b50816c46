import { isIP } from "node:net";
import { randomBytes, webcrypto } from "node:crypto";
import { x509 } from "./x509";

/**
 * The agent listener's private CA and its server certificate, made with
 * @peculiar/x509 on Node's WebCrypto. ECDSA P-256 with SHA-256: what rustls
 * (inside @ngrok/ngrok) and Go's crypto/tls both verify. The CA lasts 10 years;
 * the server certificate 90 days and is renewed with 30 left (and when its
 * names change), signed by the same CA, so agents that trust the CA never
 * notice.
 */
export const CA_LIFETIME_DAYS = 3650;
export const SERVER_CERT_LIFETIME_DAYS = 90;
export const RENEW_WITHIN_DAYS = 30;
/** The names every generated agent certificate has, before BOTDESK_AGENT_TLS_NAMES. */
export const DEFAULT_AGENT_NAMES = ["localhost", "127.0.0.1", "::1"];

const DAY_MS = 86_400_000;
// A certificate made now is valid from an hour ago: an agent whose clock is a little behind still accepts it.
const BACKDATE_MS = 3_600_000;
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

export interface Issued {
  certPem: string;
  /** PKCS#8 DER of the private key. */
  keyDer: Buffer;
  notBefore: Date;
  notAfter: Date;
}

/** A positive 128-bit serial whose first byte needs no DER padding. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes.toString("hex");
}

/** `::1` and `0:0:0:0:0:0:0:1` are one address: the form the URL parser writes; DNS names in lower case. */
export function canonicalName(name: string): string {
  const n = name.trim().toLowerCase();
  if (isIP(n) === 6) return new URL(`http://[${n}]/`).hostname.slice(1, -1);
  if (isIP(n) === 4) return new URL(`http://${n}/`).hostname;
  return n;
}

/** The SANs a generated agent certificate gets: the defaults, then the configured names, each once. */
export function agentCertificateNames(configured: readonly string[]): string[] {
  return [...new Set([...DEFAULT_AGENT_NAMES, ...configured].map(canonicalName))];
}

/** A certificate's DNS and IP SANs, canonical. */
export function certificateNames(certPem: string): string[] {
  const san = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension);
  return (san?.names.items ?? []).filter((n) => n.type === "dns" || n.type === "ip").map((n) => canonicalName(n.value));
}

export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a.map(canonicalName));
  const y = new Set(b.map(canonicalName));
  return x.size === y.size && [...x].every((n) => y.has(n));
}

/** True when a certificate valid until `notAfter` is due for renewal at `now` (30 days or fewer left). */
export function isDue(notAfter: Date, now: Date): boolean {
  return notAfter.getTime() - now.getTime() <= RENEW_WITHIN_DAYS * DAY_MS;
}

const exportKey = async (key: CryptoKey) => Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));

/** A new private CA: a self-signed certificate for signing server certificates only (path length 0). */
export async function makeCa(now: Date): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + CA_LIFETIME_DAYS * DAY_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    // A distinct name per installation, so an operator can tell two Botdesk CAs apart in a trust store.
    name: [{ CN: [`Botdesk agent CA ${randomBytes(4).toString("hex")}`] }, { O: ["Botdesk"] }],
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: `${cert.toString("pem")}\n`, keyDer: await exportKey(keys.privateKey), notBefore, notAfter };
}

/** A server certificate for `names` (DNS names and IP addresses), signed by `ca`, valid 90 days (never past the CA). */
export async function makeServerCertificate(ca: { certPem: string; keyDer: Buffer }, names: readonly string[], now: Date): Promise<Issued> {
  if (names.length === 0) throw new Error("a server certificate needs at least one name");
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey("pkcs8", ca.keyDer, ALGORITHM, false, ["sign"]);
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(Math.min(now.getTime() + SERVER_CERT_LIFETIME_DAYS * DAY_MS, caCert.notAfter.getTime()));
  const canonical = names.map(canonicalName);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [canonical[0]!] }, { O: ["Botdesk"] }],
    issuer: caCert.subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      // Clients check these, not the CN; an agent given an IP as server_addr sends no SNI and checks the IP SAN.
      new x509.SubjectAlternativeNameExtension(canonical.map((n) => ({ type: isIP(n) ? ("ip" as const) : ("dns" as const), value: n }))),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: `${cert.toString("pem")}\n`, keyDer: await exportKey(keys.privateKey), notBefore, notAfter };
}

/** PKCS#8 DER → the PEM Node's TLS takes. */
export function privateKeyPem(keyDer: Buffer): string {
  return `${x509.PemConverter.encode(new Uint8Array(keyDer), "PRIVATE KEY")}\n`;
}
