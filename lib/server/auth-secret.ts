import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * AUTH_SECRET signs session cookies. When it is not configured, one is generated
 * on first start and kept with the data (`<dataDir>/auth-secret`, mode 0600), so
 * the quick start needs no configuration and sessions survive restarts.
 */
export function ensureAuthSecret(dataDir: string, configured: string | undefined): { secret: string; source: "env" | "file" | "generated" } {
  if (configured) return { secret: configured, source: "env" };
  const file = path.join(dataDir, "auth-secret");
  if (existsSync(file)) {
    const secret = readFileSync(file, "utf8").trim();
    if (secret.length >= 32) return { secret, source: "file" };
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
  return { secret, source: "generated" };
}
