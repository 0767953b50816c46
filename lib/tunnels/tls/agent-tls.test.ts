import { execFileSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPrismaClient, db, type Db } from "@/lib/db/client";
import { handshake, serveTls } from "@/lib/test-support/tls";
import { createAgentTls, type AgentTls, type AgentTlsOptions } from "./agent-tls";
import { withServerKeysLocked } from "./server-keys";
import { ServerKeyUnreadableError } from "./seal";

const DAY = 86_400_000;
const dir = mkdtempSync(path.join(tmpdir(), "botdesk-agent-tls-"));
// Other instances on the same database: a Prisma client (a pool) each, as separate processes would have.
const instances: Db[] = Array.from({ length: 8 }, () => createPrismaClient(process.env.DATABASE_URL!, 2));
const opened: AgentTls[] = [];
const closers: (() => Promise<void>)[] = [];
const lines: string[] = [];

async function start(options: AgentTlsOptions = {}): Promise<AgentTls> {
  const made = await createAgentTls({ log: (l) => lines.push(l), ...options });
  opened.push(made);
  return made;
}
async function serve(source: AgentTls, host?: string) {
  const server = await serveTls(source, host);
  closers.push(server.close);
  return server;
}
const rows = () => db().$queryRaw<{ name: string; public_part: string; updated_at: Date; json: string }[]>`
  SELECT name, public_part, updated_at, row_to_json(k)::text AS json FROM server_keys k ORDER BY name`;
const cert = (pem: string) => new X509Certificate(pem);
const until = async (check: () => boolean, ms = 5_000) => {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
};

beforeEach(async () => {
  await db().$executeRaw`DELETE FROM server_keys`;
  lines.length = 0;
});
afterEach(async () => {
  opened.splice(0).forEach((t) => t.close());
  await Promise.all(closers.splice(0).map((c) => c()));
});
afterAll(async () => {
  await Promise.all(instances.map((p) => p.$disconnect()));
  rmSync(dir, { recursive: true, force: true });
});

describe("the agent listener's generated TLS", () => {
  it("first start: a 10-year private CA and a 90-day ECDSA P-256 certificate it signed, for localhost, 127.0.0.1, ::1 and BOTDESK_AGENT_TLS_NAMES", async () => {
    const tlsNow = await start({ names: ["agents.example.test", "10.20.30.40", "2001:DB8::7"] });
    const ca = cert(tlsNow.caPem!);
    const leaf = cert(tlsNow.current().cert as string);
    expect(tlsNow.source).toBe("generated");
    expect(ca.ca).toBe(true);
    expect(ca.checkIssued(ca)).toBe(true);
    expect(Math.round((Date.parse(ca.validTo) - Date.now()) / DAY)).toBe(3650);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca) && leaf.verify(ca.publicKey)).toBe(true);
    expect(Math.round((Date.parse(leaf.validTo) - Date.now()) / DAY)).toBe(90);
    expect(leaf.subjectAltName!.split(", ").sort()).toEqual(
      ["DNS:localhost", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1", "DNS:agents.example.test", "IP Address:10.20.30.40", "IP Address:2001:DB8:0:0:0:0:0:7"].sort(),
    );
    expect(leaf.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]); // serverAuth
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(createPrivateKey(tlsNow.current().key as string).asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    // Another implementation agrees: OpenSSL verifies the chain for a TLS server.
    writeFileSync(path.join(dir, "ca.pem"), tlsNow.caPem!);
    writeFileSync(path.join(dir, "leaf.pem"), tlsNow.current().cert as string);
    expect(execFileSync("openssl", ["verify", "-purpose", "sslserver", "-CAfile", path.join(dir, "ca.pem"), path.join(dir, "leaf.pem")], { encoding: "utf8" })).toMatch(/: OK/);
    expect(lines.join("\n")).toMatch(/made a private CA/);
    expect((await rows()).map((r) => r.name)).toEqual(["agent-ca", "agent-server"]);
  });

  it("keeps the private keys encrypted: their bytes are in no row, a plain key is refused by the table, and another AUTH_SECRET stops the start without a new CA", async () => {
    const first = await start();
    const privateKeys = await withServerKeysLocked({}, async (keys) => [(await keys.read("agent-ca"))!.privateKey, (await keys.read("agent-server"))!.privateKey]);
    expect(privateKeys[1]!.equals(createPrivateKey(first.current().key as string).export({ type: "pkcs8", format: "der" }))).toBe(true);
    const stored = (await rows()).map((r) => r.json).join("\n");
    for (const der of privateKeys) {
      const d = Buffer.from(createPrivateKey({ key: der, format: "der", type: "pkcs8" }).export({ format: "jwk" }).d!, "base64url");
      for (const needle of [der.toString("hex"), der.toString("base64"), d.toString("hex"), d.toString("base64")]) expect(stored).not.toContain(needle);
    }
    for (const line of (first.current().key as string).split("\n").filter((l) => l.length > 40)) expect(stored).not.toContain(line);
    await expect(db().$executeRaw`UPDATE server_keys SET private_key_encrypted = convert_to('-----BEGIN PRIVATE KEY-----', 'UTF8') WHERE name = 'agent-ca'`).rejects.toThrow(/server_keys_private_key_sealed/);

    const before = await rows();
    const refused = start({ secret: "another-auth-secret-0123456789abcdef", prisma: instances[0] });
    await expect(refused).rejects.toThrow(ServerKeyUnreadableError);
    await expect(refused).rejects.toThrow(/"agent-ca" .* cannot be decrypted with this instance's AUTH_SECRET.*same AUTH_SECRET/s);
    expect(await rows()).toEqual(before);
  });

  it("every instance on the database serves the same CA and certificate; eight starting at once on an empty database make one of each", async () => {
    const first = await start();
    const second = await start({ prisma: instances[0] });
    expect(second.caPem).toBe(first.caPem);
    expect(second.current()).toEqual(first.current());
    expect(lines.at(-1)).toMatch(/the CA and certificate from the database/);

    for (let round = 0; round < 4; round++) {
      await db().$executeRaw`DELETE FROM server_keys`;
      const started = await Promise.all(instances.map((prisma) => start({ prisma })));
      const [ca, server] = (await rows()).map((r) => r.public_part);
      expect(new Set(started.map((s) => s.caPem))).toEqual(new Set([ca]));
      expect(new Set(started.map((s) => s.current().cert))).toEqual(new Set([server]));
    }
  });

  it("renews the certificate with 30 days left, signed by the same CA: a client trusting only the CA accepts the old and the new one", async () => {
    // Made 61 days ago: 29 days left today.
    const old = await start({ now: () => new Date(Date.now() - 61 * DAY) });
    const kept = await start({ prisma: instances[0], now: () => new Date(Date.now() - 59 * DAY) });
    expect(kept.current().cert).toBe(old.current().cert);
    const renewed = await start({ prisma: instances[1] });
    expect(lines.at(-1)).toMatch(/renewed the certificate \(30 days or fewer were left\), signed by the same CA/);
    expect(renewed.caPem).toBe(old.caPem);
    expect(renewed.current().cert).not.toBe(old.current().cert);
    expect(Math.round((Date.parse(cert(renewed.current().cert as string).validTo) - Date.now()) / DAY)).toBe(90);
    for (const source of [old, renewed]) {
      const { port } = await serve(source);
      const seen = await handshake({ host: "127.0.0.1", port, ca: old.caPem! });
      expect(seen).toEqual({ ok: true, certPem: source.current().cert });
    }
  });

  it("running instances take a renewed certificate without a restart (setSecureContext), whoever renewed it", async () => {
    const made = Date.now() - 61 * DAY;
    let clock = made;
    const a = await start({ now: () => new Date(clock), checkEveryMs: 50 });
    // B's clock stays where it was: it never finds the certificate due itself, so what it takes is A's renewal.
    const b = await start({ prisma: instances[0], now: () => new Date(made), checkEveryMs: 50 });
    const [onA, onB] = [await serve(a), await serve(b)];
    const original = a.current().cert;
    const changes: string[] = [];
    b.onChange((o) => changes.push(o.cert as string));
    // Time passes for A: its own periodic check renews; B sees the new row and loads it.
    clock = Date.now();
    await until(() => changes.length > 0);
    expect(a.current().cert).not.toBe(original);
    expect(changes).toEqual([a.current().cert]);
    expect(lines.join("\n")).toMatch(/loaded the certificate another instance renewed/);
    for (const { port } of [onA, onB]) expect(await handshake({ host: "127.0.0.1", port, ca: a.caPem! })).toEqual({ ok: true, certPem: a.current().cert });
  });

  it("a change of BOTDESK_AGENT_TLS_NAMES renews at start; an instance with other names warns instead of renewing back", async () => {
    const a = await start({ names: [], checkEveryMs: 50 });
    const b = await start({ prisma: instances[0], names: ["agents.example.test"] });
    expect(lines.at(-1)).toMatch(/renewed the certificate for the names now configured/);
    expect(b.caPem).toBe(a.caPem);
    expect(cert(b.current().cert as string).subjectAltName).toContain("DNS:agents.example.test");
    await until(() => a.current().cert === b.current().cert);
    await new Promise((r) => setTimeout(r, 300));
    expect((await rows())[1]!.public_part).toBe(b.current().cert);
    expect(lines.filter((l) => /give every instance the same BOTDESK_AGENT_TLS_NAMES/.test(l))).toHaveLength(1);
  });

  it("real handshakes with Node's TLS client trusting only the CA: 127.0.0.1 without SNI, localhost by SNI, ::1; another CA or another name is refused", async () => {
    const source = await start();
    const v4 = await serve(source);
    const ca = source.caPem!;
    expect(await handshake({ host: "127.0.0.1", port: v4.port, ca })).toMatchObject({ ok: true });
    expect(await handshake({ host: "127.0.0.1", port: v4.port, ca, servername: "localhost" })).toMatchObject({ ok: true });
    expect(v4.servernames).toEqual([false, "localhost"]);
    const v6 = await serve(source, "::1");
    expect(await handshake({ host: "::1", port: v6.port, ca })).toMatchObject({ ok: true });
    const other = await start({ prisma: instances[0], secret: "x".repeat(40) }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(ServerKeyUnreadableError);
    await db().$executeRaw`DELETE FROM server_keys`;
    const anotherCa = (await start({ prisma: instances[1] })).caPem!;
    expect(anotherCa).not.toBe(ca);
    expect(await handshake({ host: "127.0.0.1", port: v4.port, ca: anotherCa })).toMatchObject({ ok: false, error: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE/) });
    expect(await handshake({ host: "127.0.0.1", port: v4.port, ca, servername: "elsewhere.example.test" })).toMatchObject({ ok: false, error: expect.stringMatching(/ERR_TLS_CERT_ALTNAME_INVALID/) });
  });
});
