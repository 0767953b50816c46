/**
 * Plain-language messages for a database URL that cannot work, so a start
 * fails with what to fix rather than `getaddrinfo ENOTFOUND base`.
 */

const EXAMPLE = "postgresql://user:password@host:5432/database";

/** What is wrong with a DATABASE_URL's form, or null when it looks usable. */
export function describeDatabaseUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `DATABASE_URL is not a URL. Expected ${EXAMPLE} (special characters in the password percent-encoded).`;
  }
  if (url.protocol !== "postgresql:" && url.protocol !== "postgres:") {
    return `DATABASE_URL must start with postgresql:// (it starts with ${url.protocol}//). Expected ${EXAMPLE}.`;
  }
  if (!url.hostname) return `DATABASE_URL names no host. Expected ${EXAMPLE}.`;
  if (url.port && !/^\d+$/.test(url.port)) return `DATABASE_URL's port "${url.port}" is not a number.`;
  return null;
}

/** A connection failure explained in terms of the setting that caused it. */
export function explainConnectionError(error: unknown, source: string): string {
  const e = error as { code?: string; message?: string; hostname?: string; address?: string; port?: number };
  switch (e?.code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Cannot find the database host "${e.hostname ?? "?"}" named in ${source}: check its spelling and this machine's DNS.`;
    case "ECONNREFUSED":
      return `Nothing accepts connections at ${e.address ?? "?"}:${e.port ?? "?"} (${source}): is PostgreSQL running there, on that port?`;
    case "ETIMEDOUT":
      return `Connecting to the database in ${source} timed out: check the host, the port and any firewall.`;
    case "28P01":
    case "28000":
      return `The database refused the user name or password in ${source}.`;
    case "3D000":
      return `The database named in ${source} does not exist: create it first (CREATE DATABASE …).`;
    default:
      return e?.message ?? String(error);
  }
}
