import { z } from "zod";

/**
 * The one reader of process.env. Everything else imports `env` (or calls
 * `readEnv` with an explicit source in tests and scripts).
 */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** postgresql://… of the database. The start command sets it to the embedded one when unset. */
  DATABASE_URL: optionalString,
  /** Tests: a PostgreSQL server to run integration tests on (fresh databases, dropped after). */
  TEST_DATABASE_URL: optionalString,
  /** `npm run db -- migrate|drift`: a server for the throwaway database (else DATABASE_URL, else in-memory PGlite). */
  SHADOW_DATABASE_URL: optionalString,
  /** Connections in this process's pool. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * The longest one statement of the app may run, in milliseconds (0: no limit):
   * a query that goes wrong fails with a clear error instead of holding a
   * connection, and its locks, while every other request waits.
   */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(15_000),
  /** Where the embedded database, the generated AUTH_SECRET and the lock live. */
  BOTDESK_DATA_DIR: z.string().default("./data"),
  /** Loopback port of the embedded database; 0 picks a free one. */
  BOTDESK_EMBEDDED_DB_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** The SSH server for agents (`ssh -R`), started by `npm start`: its port, or "off". */
  BOTDESK_SSH_PORT: z.union([z.literal("off"), z.coerce.number().int().min(0).max(65535)]).default(2222),
  /** The domain under which an SSH tunnel that names no hostname gets one (`<random>.<domain>`). */
  BOTDESK_SSH_DOMAIN: z.string().regex(/^[a-z0-9.-]+$/, "a domain such as tunnel.example.com").default("tunnel.localhost"),
  AUTH_SECRET: optionalString,
  /** Password of the demo owner created on an empty database. */
  BOTDESK_ADMIN_PASSWORD: optionalString,
  /** Sign-in limits: failed attempts per window, per email and per IP. */
  BOTDESK_SIGNIN_MAX_PER_EMAIL: z.coerce.number().int().min(1).default(5),
  BOTDESK_SIGNIN_MAX_PER_IP: z.coerce.number().int().min(1).default(50),
  BOTDESK_SIGNIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  /** REST API limits: requests per window, per API key and per account (all its keys together). */
  BOTDESK_API_MAX_PER_KEY: z.coerce.number().int().min(1).default(600),
  BOTDESK_API_MAX_PER_ACCOUNT: z.coerce.number().int().min(1).default(1200),
  BOTDESK_API_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /**
   * Which X-Forwarded-For entries to believe: unset (none: the client is the
   * socket's address), a hop count (`1`: one proxy in front), or a comma list of
   * the proxies' addresses or CIDR ranges (`10.0.0.0/8, 192.168.1.10`).
   */
  BOTDESK_TRUSTED_PROXIES: optionalString.refine(
    (v) => v === undefined || /^\d{1,2}$/.test(v) || v.split(",").every((p) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(p.trim())),
    "a hop count (e.g. 1) or a comma list of addresses or CIDR ranges",
  ),
  /** Optional providers, each on only when all of its variables are set. */
  AUTH_OIDC_ISSUER: optionalString,
  AUTH_OIDC_ID: optionalString,
  AUTH_OIDC_SECRET: optionalString,
  AUTH_OIDC_NAME: optionalString,
  AUTH_GITHUB_ID: optionalString,
  AUTH_GITHUB_SECRET: optionalString,
});

export type Env = z.infer<typeof envSchema>;

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

export const env: Env = readEnv();

export const DEFAULT_ADMIN_PASSWORD = "botdesk-admin";
