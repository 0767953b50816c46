import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { embeddedDatabaseUrl } from "../../lib/db/embedded";

/** E2E_PORT / E2E_DB_PORT move a run off the defaults, so two checkouts can run their e2e tests at once. */
export const E2E_PORT = Number(process.env.E2E_PORT || 3107);
/**
 * In the system's temporary directory, which the embedded PostgreSQL's user can always enter (as
 * root it runs as "postgres", which cannot enter a checkout under /root). One per checkout.
 */
export const E2E_DATA_DIR = path.join(os.tmpdir(), `botdesk-e2e-${createHash("sha256").update(process.cwd()).digest("hex").slice(0, 10)}`);
/** Everything the e2e server prints (stdout and stderr), for tests that read the server's log (e2e/hardening/server-log.ts). */
export const E2E_SERVER_LOG = `${E2E_DATA_DIR}-server.log`;
export const E2E_PASSWORD = "e2e-password-123";
export const E2E_AUTH_SECRET = "e2e-secret-for-tests-only-0123456789abcdef";
/** BOTDESK_METRICS_TOKEN of the e2e server: /metrics is served to it. */
export const E2E_METRICS_TOKEN = "e2e-metrics-token-0123456789abcdef";
/**
 * The e2e server's SSH server for agents (the demo-traffic spec connects to it): E2E_SSH_PORT, else
 * E2E_PORT + 1000, so runs of two checkouts (which differ in E2E_PORT) never share one, and none
 * takes the 2222 of a Botdesk started by hand (a taken port leaves the server without SSH).
 */
export const E2E_SSH_PORT = Number(process.env.E2E_SSH_PORT || E2E_PORT + 1000);
/** The e2e server's listener for ngrok's agents, its ingress and TCP endpoint range: off the defaults (4443, 8000, 20000-20099) as the SSH port is. */
export const E2E_AGENT_PORT = Number(process.env.E2E_AGENT_PORT || E2E_PORT + 2000);
export const E2E_INGRESS_PORT = Number(process.env.E2E_INGRESS_PORT || E2E_PORT + 3000);
export const E2E_TCP_PORTS = `${E2E_PORT + 4000}-${E2E_PORT + 4009}`;
/** The e2e server's forwarder between instances (off the shared default 4480, so parallel runs do not meet). */
export const E2E_FORWARD_PORT = Number(process.env.E2E_FORWARD_PORT || E2E_PORT + 5000);
/** Where the event-streams spec's webhook receiver listens: the e2e server may deliver to it (BOTDESK_DESTINATION_ALLOW), to no other private address. */
export const E2E_DESTINATION_HOST = "127.77.0.1";
export const E2E_DESTINATION_ALLOW = "127.77.0.0/24";
/** The e2e server's embedded database listens here, so tests can change data behind a session's back. */
export const E2E_DB_PORT = Number(process.env.E2E_DB_PORT || 54329);
/**
 * With E2E_DATABASE_URL (an EMPTY PostgreSQL database), the server runs on it
 * instead of the embedded one; tests reach the same database either way.
 */
export const E2E_DATABASE_URL = process.env.E2E_DATABASE_URL || undefined;
/** Read when first needed: the embedded database's password exists only once the server has started. */
export const e2eDatabaseUrl = (): string => E2E_DATABASE_URL ?? embeddedDatabaseUrl(E2E_DATA_DIR, E2E_DB_PORT);
