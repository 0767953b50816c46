/** How often an agent's session is kept alive in the database: the agent listener's and the SSH server's credential re-check. */
export const HEARTBEAT_INTERVAL_SECONDS = 30;
/** An open session without a heartbeat for this long is closed by the sweep (three missed heartbeats). */
export const SESSION_TIMEOUT_SECONDS = 90;
/** How often each app instance runs the sweep (instrumentation.ts). */
export const SWEEP_INTERVAL_SECONDS = 30;
