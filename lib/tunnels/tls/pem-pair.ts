import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import tls from "node:tls";
import { RENEW_WITHIN_DAYS } from "./certificates";

/** An operator's certificate (PEM, the server's first, then any intermediates) and its private key, checked. */
export interface PemPair {
  certPem: string;
  keyPem: string;
  notAfter: Date;
  /** The certificate's DNS and IP names, as Node writes them ("DNS:tunnel.example.com, …"). */
  subjectAltName: string;
  /** True when 30 days or fewer are left: say so, the operator renews it. */
  expiresSoon: boolean;
}

/** An operator's certificate pair that cannot be used, with what is wrong and which setting names it. */
export class PemPairError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PemPairError";
  }
}

export interface PairSettings {
  /** The settings' names, for the messages: ["BOTDESK_AGENT_TLS_CERT", "BOTDESK_AGENT_TLS_KEY"]. */
  names: readonly [string, string];
  certFile: string;
  keyFile: string;
}

function read(setting: string, file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new PemPairError(`${setting}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
}

/**
 * Loads the pair an operator configured and refuses, with a message naming
 * the setting and what to do, anything the listener could not serve: a file
 * that cannot be read, no PEM certificate, a key that is not an unencrypted
 * PEM private key, a key that does not belong to the certificate, a
 * certificate not yet valid or expired.
 */
export function loadPemPair({ names: [certSetting, keySetting], certFile, keyFile }: PairSettings, now: Date = new Date()): PemPair {
  const certPem = read(certSetting, certFile);
  const keyPem = read(keySetting, keyFile);
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(certPem)?.[0];
  if (!first) throw new PemPairError(`${certSetting}: ${certFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(first);
  } catch {
    throw new PemPairError(`${certSetting}: the first certificate in ${certFile} cannot be parsed.`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: "pem" });
  } catch (error) {
    const encrypted = /ENCRYPTED|passphrase/i.test(keyPem) || /passphrase/i.test((error as Error).message);
    throw new PemPairError(`${keySetting}: ${keyFile} ${encrypted ? "is encrypted: give the key without a passphrase" : "holds no PEM private key"}.`);
  }
  if (!cert.checkPrivateKey(key)) throw new PemPairError(`${keySetting}: the key in ${keyFile} does not belong to the certificate in ${certFile} (${certSetting}).`);
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (notAfter <= now) throw new PemPairError(`${certSetting}: the certificate in ${certFile} expired on ${notAfter.toISOString()}: give a current one.`);
  if (notBefore > now) throw new PemPairError(`${certSetting}: the certificate in ${certFile} is not valid before ${notBefore.toISOString()}.`);
  try {
    tls.createSecureContext({ cert: certPem, key: keyPem });
  } catch (error) {
    throw new PemPairError(`${certSetting}: Node's TLS refuses the pair in ${certFile} and ${keyFile}: ${(error as Error).message}.`);
  }
  return {
    certPem,
    keyPem,
    notAfter,
    subjectAltName: cert.subjectAltName ?? "",
    expiresSoon: notAfter.getTime() - now.getTime() <= RENEW_WITHIN_DAYS * 86_400_000,
  };
}
