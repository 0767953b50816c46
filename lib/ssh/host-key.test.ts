import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readEnv } from "@/lib/env";
import { createAgentSshServer } from "./agent-ssh-server";
import { ensureHostKey, HOST_KEY_FILE } from "./host-key";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "botdesk-host-key-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

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
  it("is generated once in the data directory (mode 0600) and kept: a restart shows clients the same key", async () => {
    const dir = path.join(tempDir(), "data");
    const first = ensureHostKey(dir);
    expect(first).toMatchObject({ file: path.join(dir, HOST_KEY_FILE), generated: true });
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.file, "utf8")).toContain("OPENSSH PRIVATE KEY");
    const again = ensureHostKey(dir);
    expect(again).toMatchObject({ file: first.file, generated: false, key: first.key });
    const seen = await keyClientsSee(first.key);
    expect(seen).toMatch(/^ssh-ed25519 AAAA/);
    expect(await keyClientsSee(again.key)).toBe(seen);
    // Another data directory is another server: another key.
    expect(await keyClientsSee(ensureHostKey(tempDir()).key)).not.toBe(seen);
  });
});

describe("BOTDESK_SSH_PORT", () => {
  it("defaults to 2222, takes a port, and 'off' turns the SSH server off (nothing is set up: no host key is made)", async () => {
    expect(readEnv({}).BOTDESK_SSH_PORT).toBe(2222);
    expect(readEnv({ BOTDESK_SSH_PORT: "2232" }).BOTDESK_SSH_PORT).toBe(2232);
    expect(readEnv({ BOTDESK_SSH_PORT: "off" }).BOTDESK_SSH_PORT).toBe("off");
    expect(() => readEnv({ BOTDESK_SSH_PORT: "ssh" })).toThrow(/BOTDESK_SSH_PORT/);
    const dir = tempDir();
    const saved = { port: process.env.BOTDESK_SSH_PORT, data: process.env.BOTDESK_DATA_DIR };
    process.env.BOTDESK_SSH_PORT = "off";
    process.env.BOTDESK_DATA_DIR = dir;
    try {
      const { serveSshInThisProcess } = await import("./serve-in-web-server");
      serveSshInThisProcess();
      expect(existsSync(path.join(dir, HOST_KEY_FILE))).toBe(false);
    } finally {
      process.env.BOTDESK_SSH_PORT = saved.port;
      process.env.BOTDESK_DATA_DIR = saved.data;
      if (saved.port === undefined) delete process.env.BOTDESK_SSH_PORT;
      if (saved.data === undefined) delete process.env.BOTDESK_DATA_DIR;
    }
  });
});
