import pg from "pg";
import { readEnv } from "@/lib/env";
import { log } from "@/lib/server/log";

/** The channel the database NOTIFYs on (prisma/migrations/…_agent_control_notify). */
export const CONTROL_CHANNEL = "botdesk_agent_control";

/** What a notification names: a credential (`c`), a principal (`p`: the principal; `m`: a person's membership), a session (`s`). */
export interface ControlNotice {
  kind: "c" | "p" | "m" | "s";
  id: string;
}

/** Parses a payload (`c:<id>` …); anything else is ignored (null). Ids only: never a secret. */
export function parseNotice(payload: string | undefined): ControlNotice | null {
  const match = /^([cpms]):([A-Za-z0-9_-]{1,100})$/.exec(payload ?? "");
  return match ? { kind: match[1] as ControlNotice["kind"], id: match[2]! } : null;
}

interface Handlers {
  onNotice(notices: ControlNotice[]): void;
  /** After the connection came back: notifications sent meanwhile are lost, so everything held is checked again. */
  onReconnected(): void;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;
/** Notifications arriving within this many ms are handled together (a bulk deactivation sends one per bot). */
const BATCH_MS = 5;

interface ControlState {
  handlers: Handlers;
  client?: pg.Client;
  stopped: boolean;
  connectedOnce: boolean;
  pending: ControlNotice[];
  retry?: NodeJS.Timeout;
}

const KEY = Symbol.for("botdesk.agentControl");
type Flagged = typeof globalThis & { [KEY]?: ControlState };

/**
 * ONE dedicated connection per process LISTENing on CONTROL_CHANNEL (the
 * database's own URL, as lib/db/client.ts uses it; not a pooled connection,
 * which LISTEN would pin). When it drops it is opened again with backoff
 * (0.1 s doubling to 5 s), and every held session is then checked again,
 * since what was sent meanwhile is lost. Started by the first holdSession.
 */
export function ensureControlListener(handlers: Handlers): void {
  const flagged = globalThis as Flagged;
  if (flagged[KEY] && !flagged[KEY].stopped) return;
  const state: ControlState = { handlers, stopped: false, connectedOnce: false, pending: [] };
  flagged[KEY] = state;
  void connect(state, FIRST_RETRY_MS);
}

/** Closes the listening connection (tests; a process stopping). */
export async function stopControlListener(): Promise<void> {
  const flagged = globalThis as Flagged;
  const state = flagged[KEY];
  if (!state) return;
  state.stopped = true;
  clearTimeout(state.retry);
  flagged[KEY] = undefined;
  await state.client?.end().catch(() => {});
}

/** The listening connection's server process id, while connected (tests end it with pg_terminate_backend). */
export function controlListenerPid(): number | undefined {
  const client = (globalThis as Flagged)[KEY]?.client as (pg.Client & { processID?: number }) | undefined;
  return client?.processID ?? undefined;
}

async function connect(state: ControlState, backoff: number): Promise<void> {
  if (state.stopped) return;
  const url = readEnv().DATABASE_URL;
  const client = new pg.Client({ connectionString: url, application_name: "botdesk_agent_control", keepAlive: true });
  let lost = false;
  let nextBackoff = backoff;
  const onLost = (why: string) => {
    if (lost) return;
    lost = true;
    if (state.client === client) state.client = undefined;
    client.end().catch(() => {});
    if (state.stopped) return;
    log.warn("agent-control", `the live-control connection to the database was lost (${why}); reconnecting`);
    state.retry = setTimeout(() => void connect(state, Math.min(MAX_RETRY_MS, nextBackoff * 2)), nextBackoff);
    state.retry.unref();
  };
  client.on("error", (error) => onLost(error.message));
  client.on("end", () => onLost("closed"));
  client.on("notification", (message) => {
    if (message.channel !== CONTROL_CHANNEL) return;
    const notice = parseNotice(message.payload);
    if (!notice) return;
    state.pending.push(notice);
    if (state.pending.length === 1) setTimeout(() => state.handlers.onNotice(state.pending.splice(0)), BATCH_MS);
  });
  try {
    if (!url) throw new Error("DATABASE_URL is not set");
    await client.connect();
    await client.query(`LISTEN ${CONTROL_CHANNEL}`);
  } catch (error) {
    return onLost(error instanceof Error ? error.message : String(error));
  }
  if (state.stopped) {
    await client.end().catch(() => {});
    return;
  }
  state.client = client;
  nextBackoff = FIRST_RETRY_MS;
  // The socket must not keep a process alive that has nothing else to do.
  (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
  // Whatever was held before this connection listened (first start) or while it was gone (reconnect) is checked now.
  if (state.connectedOnce) log.info("agent-control", "the live-control connection to the database is back");
  state.connectedOnce = true;
  state.handlers.onReconnected();
}
