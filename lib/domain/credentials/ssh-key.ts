import { createHash, createPublicKey } from "node:crypto";

export type SshKeyType = "ssh-ed25519" | "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" | "ecdsa-sha2-nistp521" | "ssh-rsa";

export type ParsedSshKey = { ok: true; type: SshKeyType; blob: Buffer; comment: string; fingerprint: string; bits: number; normalized: string };
export type SshKeyProblem = { ok: false; message: string };

export const PRIVATE_KEY_MESSAGE =
  "That is a private key. Paste the PUBLIC key instead (the .pub file, one line starting with ssh-ed25519, ecdsa-sha2-… or ssh-rsa). The private key was not stored.";

const PRIVATE_MARKERS = [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, /PuTTY-User-Key-File/i, /-----BEGIN SSH2 ENCRYPTED PRIVATE KEY-----/];

const CURVES: Record<string, { curve: string; nodeCurve: string; pointLength: number; bits: number }> = {
  "ecdsa-sha2-nistp256": { curve: "nistp256", nodeCurve: "P-256", pointLength: 65, bits: 256 },
  "ecdsa-sha2-nistp384": { curve: "nistp384", nodeCurve: "P-384", pointLength: 97, bits: 384 },
  "ecdsa-sha2-nistp521": { curve: "nistp521", nodeCurve: "P-521", pointLength: 133, bits: 521 },
};

/** Reads SSH wire-format strings (uint32 length + bytes). */
class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  string(): Buffer {
    if (this.offset + 4 > this.buf.length) throw new Error("truncated");
    const len = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    if (len > this.buf.length - this.offset) throw new Error("truncated");
    const out = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return out;
  }
  done(): boolean {
    return this.offset === this.buf.length;
  }
}

const b64url = (b: Buffer) => b.toString("base64url");
const unsigned = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b);

/**
 * Parses and checks one OpenSSH public key (`authorized_keys` form: type, base64
 * blob, optional comment): ssh-ed25519, ecdsa-sha2-nistp256/384/521, or ssh-rsa
 * of at least 2048 bits. The key material is validated by Node's crypto (a
 * point on the curve, a sane modulus). A private key is recognised and refused.
 */
export function parseSshPublicKey(input: string): ParsedSshKey | SshKeyProblem {
  if (PRIVATE_MARKERS.some((m) => m.test(input))) return { ok: false, message: PRIVATE_KEY_MESSAGE };
  const lines = input.trim().split(/\r?\n/).filter((l) => l.trim());
  if (lines.length !== 1) return { ok: false, message: "Paste exactly one public key, on one line." };
  const [type = "", data = "", ...rest] = lines[0]!.trim().split(/\s+/);
  if (!["ssh-ed25519", "ssh-rsa", ...Object.keys(CURVES)].includes(type)) {
    return { ok: false, message: "Unsupported key type: use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (2048 bits or more)." };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return { ok: false, message: "The key's base64 data is not valid." };
  const blob = Buffer.from(data, "base64");
  try {
    const r = new Reader(blob);
    const embedded = r.string().toString("latin1");
    if (embedded !== type) return { ok: false, message: `The key says it is ${type} but its data is ${embedded}.` };
    let bits: number;
    if (type === "ssh-ed25519") {
      const key = r.string();
      if (key.length !== 32) throw new Error("bad ed25519 key length");
      createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64url(key) }, format: "jwk" });
      bits = 256;
    } else if (type === "ssh-rsa") {
      const e = unsigned(r.string());
      const n = unsigned(r.string());
      bits = n.length * 8 - Math.clz32(n[0] ?? 0) + 24;
      if (bits < 2048) return { ok: false, message: `This RSA key has ${bits} bits; use at least 2048 (or an ed25519 key).` };
      if (bits > 16384) return { ok: false, message: "RSA keys longer than 16384 bits are not accepted." };
      createPublicKey({ key: { kty: "RSA", n: b64url(n), e: b64url(e) }, format: "jwk" });
    } else {
      const spec = CURVES[type]!;
      if (r.string().toString("latin1") !== spec.curve) throw new Error("curve mismatch");
      const q = r.string();
      if (q.length !== spec.pointLength || q[0] !== 4) throw new Error("bad point");
      const half = (q.length - 1) / 2;
      createPublicKey({
        key: { kty: "EC", crv: spec.nodeCurve, x: b64url(q.subarray(1, 1 + half)), y: b64url(q.subarray(1 + half)) },
        format: "jwk",
      });
      bits = spec.bits;
    }
    if (!r.done()) throw new Error("trailing data");
    const comment = rest.join(" ").slice(0, 255);
    const fingerprint = `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
    return { ok: true, type: type as SshKeyType, blob, comment, fingerprint, bits, normalized: `${type} ${data}${comment ? ` ${comment}` : ""}` };
  } catch {
    return { ok: false, message: `The ${type} key data is malformed or not a valid key.` };
  }
}
