import { z } from "zod";

/**
 * The one reader of process.env. Everything else imports `env` (or calls
 * `readEnv` with an explicit source in tests and scripts).
 */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** A listener's port (0 picks a free one), or "off". */
const port = (fallback: number) => z.union([z.literal("off"), z.coerce.number().int().min(0).max(65535)]).default(fallback);

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/, "a domain such as tunnel.example.com");

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** postgresql://… of the database. The start command sets it to the embedded one when unset. */
  DATABASE_URL: optionalString,
  /** Tests: a PostgreSQL server to run integration tests on (fresh databases, dropped after). */
  TEST_DATABASE_URL: optionalString,
  /** `npm run db -- migrate|drift`: a server for the throwaway database (else DATABASE_URL, else in-memory PGlite). */
  SHADOW_DATABASE_URL: optionalString,
  /**
   * Connections in the pool of the web server: of the whole instance, divided among its workers
   * (BOTDESK_WEB_WORKERS) by `npm start`, which hands each worker its share in this variable.
   */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * Web server processes of `npm start`, sharing its port (Node's cluster): unset, one per core
   * (at most DATABASE_POOL_SIZE, each needing a connection); `1` runs a single process. `npm run dev` runs one.
   */
  BOTDESK_WEB_WORKERS: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.coerce.number().int().min(1).max(64).optional()),
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
  /**
   * The address every listener binds to (the dashboard, SSH, agents, the ingress, TCP endpoints).
   * Unset: loopback (127.0.0.1) for the embedded demo, every interface with DATABASE_URL.
   * Not HOSTNAME, which Next.js reads for itself.
   */
  BOTDESK_HOST: optionalString.refine((v) => v === undefined || /^[0-9a-zA-Z:.%-]+$/.test(v), "an address such as 127.0.0.1, 0.0.0.0 or ::"),
  /** The SSH server for agents (`ssh -R`), started by `npm start`: its port, or "off". */
  BOTDESK_SSH_PORT: port(2222),
  /** The agent listener speaking ngrok's agent protocol over TLS (`@ngrok/ngrok`'s server_addr): its port, or "off". */
  BOTDESK_AGENT_PORT: port(4443),
  /** The public listener that routes requests to agents' HTTP(S) endpoints by Host (SNI for HTTPS): its port, or "off". */
  BOTDESK_INGRESS_PORT: port(8000),
  /**
   * The domain tunnels are served under (`<random>.<domain>` when a bind names no hostname).
   * `BOTDESK_SSH_DOMAIN` is its older name, read when this one is unset.
   */
  BOTDESK_TUNNEL_DOMAIN: domain.optional(),
  BOTDESK_SSH_DOMAIN: domain.optional(),
  /** Ports for agents' TCP endpoints (`20000-20099`), or "off" for no TCP endpoints. */
  BOTDESK_TCP_PORTS: z
    .string()
    .default("20000-20099")
    .transform((v, ctx) => {
      if (v.trim() === "off") return "off" as const;
      const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(v) ?? /^\s*(\d{1,5})()\s*$/.exec(v);
      const from = m ? Number(m[1]) : NaN;
      const to = m && m[2] ? Number(m[2]) : from;
      if (!m || from < 1 || to > 65535 || to < from) {
        ctx.addIssue({ code: "custom", message: 'a port range such as 20000-20099, or "off"' });
        return z.NEVER;
      }
      return { from, to };
    }),
  /**
   * The instance-to-instance forwarder (lib/tunnels/forwarder): the port other instances on this
   * database send requests for endpoints whose agent is connected here, or "off" (this instance then
   * neither receives forwarded traffic nor records where its sessions live).
   */
  BOTDESK_FORWARD_PORT: port(4480),
  /**
   * `host:port` at which other instances reach this one's forwarder (recorded on each session it
   * holds). Unset: BOTDESK_HOST (127.0.0.1 when that is every interface or unset) and the forwarder's port,
   * right for instances on one machine; set it on each machine when instances run on several.
   */
  BOTDESK_INSTANCE_ADDRESS: optionalString.refine(
    (v) => v === undefined || /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):\d{1,5}$/.test(v),
    "host:port (or [v6]:port) at which other instances reach this one's forwarder",
  ),
  /** Extra names (DNS names or IP addresses, comma separated) for the agent listener's generated certificate. */
  BOTDESK_AGENT_TLS_NAMES: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((n) => n.trim().toLowerCase()).filter(Boolean))
    .refine((names) => names.every((n) => /^[0-9a-z*.:-]+$/.test(n)), "a comma list of DNS names or IP addresses"),
  /** An operator's certificate and key (PEM files) for the agent listener, instead of the generated ones. */
  BOTDESK_AGENT_TLS_CERT: optionalString,
  BOTDESK_AGENT_TLS_KEY: optionalString,
  /** A certificate and key (PEM files, e.g. a wildcard for the tunnel domain): the ingress then speaks HTTPS. */
  BOTDESK_INGRESS_TLS_CERT: optionalString,
  BOTDESK_INGRESS_TLS_KEY: optionalString,
  /** Agent sessions one authtoken may hold open at once (across every instance). */
  BOTDESK_AGENT_MAX_SESSIONS_PER_TOKEN: z.coerce.number().int().min(1).max(10_000).default(10),
  /** Binds one authtoken may make per minute (across every instance). */
  BOTDESK_AGENT_MAX_BINDS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),
  /**
   * Connections the listeners beside the dashboard (SSH, agents, the ingress, TCP endpoints) may hold
   * together, so a flood never takes the file descriptors the dashboard and the database need.
   * Unset: three quarters of the process's open-files limit (lib/server/connection-gate.ts).
   */
  BOTDESK_MAX_CONNECTIONS: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.coerce.number().int().min(16).max(1_000_000).optional()),
  /** Connections one client address may hold at once on each listener (SSH, agents, the ingress, the TCP endpoints). */
  BOTDESK_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).max(1_000_000).default(256),
  /** Seconds an SSH or agent connection has from its first byte to being signed in (SSH) or authenticated (TLS and Auth). */
  BOTDESK_HANDSHAKE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  AUTH_SECRET: optionalString,
  /** The dashboard's public URL behind a proxy (read by Auth.js); here only to keep the tunnel domain off the dashboard's host. */
  AUTH_URL: optionalString.refine((v) => v === undefined || URL.canParse(v), "a URL such as https://botdesk.example.com"),
  /**
   * The server's log lines: `pretty` (the default: `[scope] message`, for a person at a console) or
   * `json` (one object a line with time, level, msg, scope and request_id, for a log collector).
   */
  BOTDESK_LOG_FORMAT: z.enum(["pretty", "json"]).default("pretty"),
  /** Serves Prometheus metrics at /metrics to `Authorization: Bearer <this token>` (unset: /metrics answers 404). */
  BOTDESK_METRICS_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, "at least 16 characters"),
  /** Password of the demo people created on an empty database (unset: a random one, printed once on the console). */
  BOTDESK_ADMIN_PASSWORD: optionalString,
  /** `1`: create the demo account on an empty DATABASE_URL database too (the embedded database always gets it). */
  BOTDESK_DEMO: z.enum(["0", "1", ""]).default("").transform((v) => v === "1"),
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
  /**
   * Event streams (docs/event-streams.md): the first retry of a delivery waits about this long, each
   * next one twice as long (at most 720 times it); a delivery is given up after 17,280 times it
   * (the default, 5 s: an hour at most between tries, a day in all).
   */
  BOTDESK_DELIVERY_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(5_000),
  /** Datadog targets: another base URL for the logs intake (default `https://http-intake.logs.<ddsite>`). */
  BOTDESK_DATADOG_INTAKE_URL: optionalString.refine((v) => v === undefined || /^https?:\/\/[^\s/]+(\/\S*)?$/.test(v), "an http(s) URL"),
  /**
   * Address ranges (comma list of CIDRs) event destinations may reach although they are loopback,
   * link-local or private: refused otherwise (and plain HTTP is only for these ranges).
   */
  BOTDESK_DESTINATION_ALLOW: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((r) => r.trim()).filter(Boolean))
    .refine((ranges) => ranges.every((r) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(r)), "a comma list of CIDR ranges such as 10.1.0.0/16"),
  /** Optional providers, each on only when all of its variables are set. */
  AUTH_OIDC_ISSUER: optionalString,
  AUTH_OIDC_ID: optionalString,
  AUTH_OIDC_SECRET: optionalString,
  AUTH_OIDC_NAME: optionalString,
  AUTH_GITHUB_ID: optionalString,
  AUTH_GITHUB_SECRET: optionalString,
});

const checkedSchema = envSchema
  .superRefine((e, ctx) => {
    for (const [cert, key] of [["BOTDESK_AGENT_TLS_CERT", "BOTDESK_AGENT_TLS_KEY"], ["BOTDESK_INGRESS_TLS_CERT", "BOTDESK_INGRESS_TLS_KEY"]] as const) {
      if ((e[cert] === undefined) !== (e[key] === undefined)) ctx.addIssue({ code: "custom", path: [e[cert] ? key : cert], message: `set with ${e[cert] ? cert : key}` });
    }
  })
  .superRefine((e, ctx) => {
    // A tunnel must never set or read the dashboard's cookies: its domain is neither the dashboard's host nor a parent of it.
    const tunnels = e.BOTDESK_TUNNEL_DOMAIN ?? e.BOTDESK_SSH_DOMAIN ?? "tunnel.localhost";
    const dashboard = e.AUTH_URL && URL.canParse(e.AUTH_URL) ? new URL(e.AUTH_URL).hostname.toLowerCase() : undefined;
    if (dashboard && (dashboard === tunnels || dashboard.endsWith(`.${tunnels}`))) {
      ctx.addIssue({
        code: "custom",
        path: [e.BOTDESK_TUNNEL_DOMAIN ? "BOTDESK_TUNNEL_DOMAIN" : "BOTDESK_SSH_DOMAIN"],
        message: `${tunnels} is the dashboard's host (${dashboard}) or a parent of it: tunnels there could read and set the dashboard's cookies; choose a domain of its own, e.g. tunnel.${dashboard}`,
      });
    }
  })
  .transform(({ BOTDESK_SSH_DOMAIN, BOTDESK_TUNNEL_DOMAIN, ...rest }) => ({
    ...rest,
    /** The tunnel domain, from BOTDESK_TUNNEL_DOMAIN or its alias BOTDESK_SSH_DOMAIN. */
    BOTDESK_TUNNEL_DOMAIN: BOTDESK_TUNNEL_DOMAIN ?? BOTDESK_SSH_DOMAIN ?? "tunnel.localhost",
  }));

export type Env = z.infer<typeof checkedSchema>;

/** Every variable this module reads (docs/operating.md's settings table lists each; a test checks). */
export const ENV_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = checkedSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

export const env: Env = readEnv();
