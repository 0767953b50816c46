import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { handshake, serveTls } from "@/lib/test-support/tls";
import { createAgentTls } from "./agent-tls";
import { makeCa, makeServerCertificate, privateKeyPem } from "./certificates";
import { loadPemPair, PemPairError } from "./pem-pair";
import type { TlsSource } from "./tls-source";

const dir = mkdtempSync(path.join(tmpdir(), "botdesk-pem-pair-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open: TlsSource[] = [];
afterEach(() => open.splice(0).forEach((s) => s.close()));

let n = 0;
/** A self-signed pair made by OpenSSL (not by our code), written to two files. */
function opensslPair(cn: string, san = `DNS:${cn}`): { certFile: string; keyFile: string; certPem: string } {
  const base = path.join(dir, `pair-${++n}`);
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${base}.key`, "-out", `${base}.crt`, "-days", "30", "-subj", `/CN=${cn}`, "-addext", `subjectAltName=${san}`], { stdio: "pipe" });
  return { certFile: `${base}.crt`, keyFile: `${base}.key`, certPem: execFileSync("cat", [`${base}.crt`], { encoding: "utf8" }) };
}
const settings = (p: { certFile: string; keyFile: string }) => ({ names: ["BOTDESK_AGENT_TLS_CERT", "BOTDESK_AGENT_TLS_KEY"] as const, ...p });

describe("an operator's certificate pair", () => {
  it("is loaded when the key belongs to the certificate and it is current (a 30-day certificate is said to expire soon)", () => {
    const pair = opensslPair("agents.example.test");
    const loaded = loadPemPair(settings(pair));
    expect(loaded.certPem).toBe(pair.certPem);
    expect(loaded.subjectAltName).toBe("DNS:agents.example.test");
    expect(loaded.expiresSoon).toBe(true);
  });

  it("is refused with the setting, the file and what is wrong: unreadable, no certificate, no key, an encrypted key, another key, expired, not yet valid", async () => {
    const good = opensslPair("a.example.test");
    const other = opensslPair("b.example.test");
    const missing = path.join(dir, "missing.pem");
    const refusal = (p: { certFile: string; keyFile: string }, now?: Date) => {
      try {
        loadPemPair(settings(p), now);
      } catch (error) {
        expect(error).toBeInstanceOf(PemPairError);
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refusal({ certFile: missing, keyFile: good.keyFile })).toBe(`BOTDESK_AGENT_TLS_CERT: cannot read ${missing} (ENOENT).`);
    expect(refusal({ certFile: good.keyFile, keyFile: good.keyFile })).toMatch(/^BOTDESK_AGENT_TLS_CERT: .* holds no PEM certificate/);
    expect(refusal({ certFile: good.certFile, keyFile: good.certFile })).toMatch(/^BOTDESK_AGENT_TLS_KEY: .* holds no PEM private key/);
    const encrypted = path.join(dir, "encrypted.key");
    execFileSync("openssl", ["pkey", "-in", good.keyFile, "-aes256", "-passout", "pass:secret", "-out", encrypted]);
    expect(refusal({ certFile: good.certFile, keyFile: encrypted })).toMatch(/^BOTDESK_AGENT_TLS_KEY: .* is encrypted: give the key without a passphrase/);
    expect(refusal({ certFile: good.certFile, keyFile: other.keyFile })).toBe(
      `BOTDESK_AGENT_TLS_KEY: the key in ${other.keyFile} does not belong to the certificate in ${good.certFile} (BOTDESK_AGENT_TLS_CERT).`,
    );
    expect(refusal(good, new Date(Date.now() + 31 * 86_400_000))).toMatch(/^BOTDESK_AGENT_TLS_CERT: the certificate in .* expired on \d{4}-\d\d-\d\dT.*: give a current one\.$/);
    // A certificate whose validity starts tomorrow (made with our own CA code: OpenSSL 3.0's req cannot backdate or postdate).
    const ca = await makeCa(new Date());
    const later = await makeServerCertificate({ certPem: ca.certPem, keyDer: ca.keyDer }, ["later.example.test"], new Date(Date.now() + 2 * 86_400_000));
    writeFileSync(path.join(dir, "later.crt"), later.certPem);
    writeFileSync(path.join(dir, "later.key"), privateKeyPem(later.keyDer));
    expect(refusal({ certFile: path.join(dir, "later.crt"), keyFile: path.join(dir, "later.key") })).toMatch(/is not valid before/);
  });

  it("serves agents instead of the generated CA (no CA to trust), and a renewed pair written over the files is served without a restart", async () => {
    const first = opensslPair("localhost", "DNS:localhost,IP:127.0.0.1");
    const certFile = path.join(dir, "live.crt");
    const keyFile = path.join(dir, "live.key");
    const copy = (p: { certFile: string; keyFile: string }) => {
      writeFileSync(certFile, execFileSync("cat", [p.certFile]));
      writeFileSync(keyFile, execFileSync("cat", [p.keyFile]));
    };
    copy(first);
    const lines: string[] = [];
    const agentTls = await createAgentTls({ operator: { certFile, keyFile }, checkEveryMs: 50, log: (l) => lines.push(l), secret: "" });
    open.push(agentTls);
    expect(agentTls.source).toBe("operator");
    expect(agentTls.caPem).toBeNull();
    const server = await serveTls(agentTls);
    try {
      expect(await handshake({ host: "127.0.0.1", port: server.port, ca: first.certPem })).toMatchObject({ ok: true });
      // A certificate written without its key: refused once in the log, the good pair stays in use.
      const second = opensslPair("localhost", "DNS:localhost,IP:127.0.0.1");
      writeFileSync(certFile, second.certPem);
      await new Promise((r) => setTimeout(r, 300));
      expect(lines.filter((l) => /keeping the certificate in use: BOTDESK_AGENT_TLS_KEY: the key .* does not belong/.test(l))).toHaveLength(1);
      expect(await handshake({ host: "127.0.0.1", port: server.port, ca: first.certPem })).toMatchObject({ ok: true });
      copy(second);
      for (let i = 0; i < 100 && agentTls.current().cert !== second.certPem; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await handshake({ host: "127.0.0.1", port: server.port, ca: second.certPem })).toMatchObject({ ok: true });
      expect(lines.filter((l) => /loaded the renewed certificate from/.test(l))).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
