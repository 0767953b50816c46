import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A real key pair made by OpenSSH's own ssh-keygen (so the tests check our
 * parser against the reference implementation): the public key line, the
 * private key, and ssh-keygen's SHA256 fingerprint.
 */
export function sshKeygen(type: "ed25519" | "ecdsa" | "rsa", bits?: number): { publicKey: string; privateKey: string; fingerprint: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "botdesk-ssh-"));
  try {
    const file = path.join(dir, "key");
    execFileSync("ssh-keygen", ["-q", "-t", type, ...(bits ? ["-b", String(bits)] : []), "-N", "", "-C", "test@botdesk", "-f", file]);
    const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${file}.pub`]).toString().split(" ")[1]!;
    return { publicKey: readFileSync(`${file}.pub`, "utf8").trim(), privateKey: readFileSync(file, "utf8"), fingerprint };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
