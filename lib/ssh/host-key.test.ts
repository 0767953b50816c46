import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createPrismaClient, db } from "@/lib/db/client";
import { readEnv } from "@/lib/env";
import { sshKeygen } from "@/lib/test-support/ssh-keys";
import { ServerKeyUnreadableError } from "@/lib/tunnels/tls/seal";
import { createAgentSshServer } from "./agent-ssh-server";
import { HOST_KEY_FILE, sshHostKey } from "./host-key";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "botdesk-host-key-"));
  dirs.push(dir);
  return dir;
};
// Another instance on the same database, with a data directory of its own.
const otherInstance = createPrismaClient(process.env.DATABASE_URL!, 2);
const racers = Array.from({ length: 6 }, () => createPrismaClient(process.env.DATABASE_URL!, 1));
afterAll(async () => {
  await Promise.all([otherInstance, ...racers].map((p) => p.$disconnect()));
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});
beforeEach(async () => {
  await db().$executeRaw`DELETE FROM server_keys`;
});
const storedRow = async () => (await db().$queryRaw<{ json: string }[]>`SELECT row_to_json(k)::text AS json FROM server_keys k WHERE name = 'ssh-host'`)[0]?.json;

/** The host key a real SSH client is shown by a server started with `hostKey` (ssh-keyscan's line). */
async function keyClientsSee(hostKey: string): Promise<string> {
  const server = createAgentSshServer({ hostKey, domain: "tunnel.test" });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    // Asynchronously: the server answers from this same process.
    const scan = await promisify(execFile)("ssh-keyscan", ["-T", "5", "-t", "ed25519", "-p", String(port), "127.0.0.1"], { encoding: "utf8" });
    const line = scan.stdout.split("\n").find((l) => l.includes("ssh-ed25519"));
    if (!line) throw new Error(`ssh-keyscan saw no key: ${scan.stderr}`);
    return line.split(" ").slice(1).join(" ");
  } finally {
    await server.stop();
  }
}

describe("the SSH server's host key", () => {
  it("is generated once and kept in the database, encrypted: a restart, and another instance, show clients the same key", async () => {
    const first = await sshHostKey({ dataDir: tempDir() });
    expect(first.source).toBe("generated");
    const seen = await keyClientsSee(first.key);
    expect(seen).toBe(first.publicKey);
    expect(seen).toMatch(/^ssh-ed25519 AAAA/);
    const again = await sshHostKey({ dataDir: tempDir() });
    const elsewhere = await sshHostKey({ dataDir: tempDir(), prisma: otherInstance });
    expect(again).toMatchObject({ source: "database", key: first.key });
    expect(elsewhere).toMatchObject({ source: "database", key: first.key });
    expect(await keyClientsSee(elsewhere.key)).toBe(seen);
    // The private key's body is in no column; the public line is.
    const row = (await storedRow())!;
    expect(row).toContain(first.publicKey.split(" ")[1]);
    for (const line of first.key.split("\n").filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l))) expect(row).not.toContain(line);
    // Another AUTH_SECRET cannot open it, and makes no new one over it.
    await expect(sshHostKey({ dataDir: tempDir(), secret: "another-auth-secret-0123456789abcdef" })).rejects.toThrow(ServerKeyUnreadableError);
    expect(await storedRow()).toBe(row);
    // Another database is another server: another key.
    await db().$executeRaw`DELETE FROM server_keys`;
    expect(await keyClientsSee((await sshHostKey({ dataDir: tempDir() })).key)).not.toBe(seen);
  });

  it("is made once when six instances start at once on an empty database, each with its own data directory", async () => {
    for (let round = 0; round < 3; round++) {
      await db().$executeRaw`DELETE FROM server_keys`;
      const keys = await Promise.all(racers.map((prisma) => sshHostKey({ dataDir: tempDir(), prisma })));
      expect(keys.filter((k) => k.source === "generated")).toHaveLength(1);
      expect(new Set(keys.map((k) => k.publicKey)).size).toBe(1);
    }
  });

  it("imports the key an older Botdesk kept in the data directory, so clients' known_hosts keep working", async () => {
    const dir = tempDir();
    const old = sshKeygen("ed25519");
    writeFileSync(path.join(dir, HOST_KEY_FILE), old.privateKey, { mode: 0o600 });
    const imported = await sshHostKey({ dataDir: dir });
    expect(imported.source).toBe("imported");
    expect(await keyClientsSee(imported.key)).toBe(old.publicKey.split(" ").slice(0, 2).join(" "));
    // Another instance, with another old file, uses the shared key and says its file is ignored.
    const otherDir = tempDir();
    writeFileSync(path.join(otherDir, HOST_KEY_FILE), sshKeygen("ed25519").privateKey, { mode: 0o600 });
    const other = await sshHostKey({ dataDir: otherDir, prisma: otherInstance });
    expect(other).toMatchObject({ source: "database", key: old.privateKey, ignoredFile: path.join(otherDir, HOST_KEY_FILE) });
    // A file that holds no private key is refused, and nothing is stored.
    await db().$executeRaw`DELETE FROM server_keys`;
    const bad = tempDir();
    writeFileSync(path.join(bad, HOST_KEY_FILE), old.publicKey);
    await expect(sshHostKey({ dataDir: bad })).rejects.toThrow(/ssh_host_ed25519_key is not an unencrypted SSH private key/);
    expect(await storedRow()).toBeUndefined();
  });
});

describe("BOTDESK_SSH_PORT", () => {
  it("defaults to 2222, takes a port, and 'off' turns the SSH server off (nothing is set up: no host key is made)", async () => {
    expect(readEnv({}).BOTDESK_SSH_PORT).toBe(2222);
    expect(readEnv({ BOTDESK_SSH_PORT: "2232" }).BOTDESK_SSH_PORT).toBe(2232);
    expect(readEnv({ BOTDESK_SSH_PORT: "off" }).BOTDESK_SSH_PORT).toBe("off");
    expect(() => readEnv({ BOTDESK_SSH_PORT: "ssh" })).toThrow(/BOTDESK_SSH_PORT/);
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const saved = { port: process.env.BOTDESK_SSH_PORT, data: process.env.BOTDESK_DATA_DIR };
    process.env.BOTDESK_SSH_PORT = "off";
    process.env.BOTDESK_DATA_DIR = dir;
    try {
      const { serveSshInThisProcess } = await import("./serve-in-web-server");
      await serveSshInThisProcess();
      expect(await storedRow()).toBeUndefined();
    } finally {
      process.env.BOTDESK_SSH_PORT = saved.port;
      process.env.BOTDESK_DATA_DIR = saved.data;
      if (saved.port === undefined) delete process.env.BOTDESK_SSH_PORT;
      if (saved.data === undefined) delete process.env.BOTDESK_DATA_DIR;
    }
  });
});
