/**
 * Runs once when a server instance starts: notes each request's socket address,
 * writes the REST API's usage counted in memory before the process exits (usage-meter.ts),
 * gives bots named before the look-alike rule their name keys (listing the names it keeps as they are),
 * runs the listeners for agents when the launcher asks for it (BOTDESK_SERVE_LISTENERS=1:
 * `npm start` and `npm run dev`, not a bare `next start`; lib/server/listeners.ts), records
 * `credential.expired` events (and `credential.expiring`, 7 days and 1 day before) once a minute, folds the events roll-up's
 * pending deltas into `event_counts_daily` once a minute, purges events past
 * their account's retention once an hour, and ends tunnel sessions that stopped
 * sending heartbeats every 30 s, and sends queued event-stream messages every second
 * (lib/domain/event-streams/deliver-events.ts) and trims their log hourly. Several instances may run it; each
 * expiry is claimed once, one instance compacts the roll-up at a time, and
 * purges skip rows another instance is deleting.
 *
 * With several web workers (BOTDESK_WEB_WORKERS, lib/launcher/web-workers.ts) every worker notes
 * addresses, counts metrics and writes its usage; only worker 1 runs the listeners and the jobs, once per instance.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { log } = await import("./lib/server/log");
  // First: every request after this knows its socket's address (see peer-address.ts).
  const { installPeerAddressHeader } = await import("./lib/server/peer-address");
  installPeerAddressHeader();
  // Every request counted by route template, with its latency, for /metrics (served only with BOTDESK_METRICS_TOKEN).
  const { installHttpMetrics } = await import("./lib/server/metrics");
  installHttpMetrics();
  // The REST API's requests are counted in memory and written in batches (usage-meter.ts): what is left is written before the process exits.
  const { usageMeter } = await import("./lib/domain/usage/usage-meter");
  const { stopBeforeExit } = await import("./lib/server/stop-before-exit");
  stopBeforeExit(
    () => usageMeter().stop(),
    (error) => log.error("botdesk", "writing the API's counted usage at shutdown failed", { error: error instanceof Error ? error.message : error }),
  );
  // The instance's other workers only serve HTTP (the launcher sets BOTDESK_WEB_WORKER on each).
  const { runsInstanceJobs, webWorker } = await import("./lib/server/web-worker");
  if (!runsInstanceJobs()) return;
  if (webWorker() !== undefined) log.info("botdesk", "Background jobs run in web worker 1 (once per instance).");
  if (process.env.BOTDESK_SERVE_LISTENERS === "1") {
    const { startListeners } = await import("./lib/server/listeners");
    await startListeners();
  }
  // Bots named before the look-alike rule get their name keys; names it had to leave as they were are listed.
  const { assignLookAlikeKeys, lookAlikeReportLines } = await import("./lib/domain/bots/look-alike-names");
  const checkNames = (retry: boolean) =>
    assignLookAlikeKeys().then(
      (report) => {
        for (const line of lookAlikeReportLines(report)) log.info("botdesk", line);
      },
      (error: unknown) => {
        log.error("botdesk", "checking bot names against the look-alike rule failed", { error: error instanceof Error ? error.message : error });
        // A bot created meanwhile may have taken a key first: once more a little later.
        if (retry) setTimeout(() => void checkNames(false), 30_000).unref();
      },
    );
  void checkNames(true);
  const { recordExpiredCredentials } = await import("./lib/domain/credentials/record-expired-credentials");
  const { recordExpiringCredentials } = await import("./lib/domain/credentials/record-expiring-credentials");
  const sweep = () =>
    Promise.all([recordExpiredCredentials(), recordExpiringCredentials()]).catch((error: unknown) => {
      log.error("botdesk", "recording expired and expiring credentials failed", { error: error instanceof Error ? error.message : error });
    });
  setTimeout(sweep, 5_000).unref();
  setInterval(sweep, 60_000).unref();
  const { compactEventCounts } = await import("./lib/domain/events/compact-event-counts");
  const compact = () =>
    compactEventCounts().catch((error: unknown) => {
      log.error("botdesk", "folding the events roll-up's deltas failed", { error: error instanceof Error ? error.message : error });
    });
  setInterval(compact, 60_000).unref();
  const { purgeExpiredEvents } = await import("./lib/domain/events/purge-expired-events");
  const purge = () =>
    purgeExpiredEvents().catch((error: unknown) => {
      log.error("botdesk", "purging events past retention failed", { error: error instanceof Error ? error.message : error });
    });
  setTimeout(purge, 60_000).unref();
  setInterval(purge, 3_600_000).unref();
  const { closeStaleSessions } = await import("./lib/domain/agent-sessions/close-stale-sessions");
  const { SWEEP_INTERVAL_SECONDS } = await import("./lib/domain/agent-sessions/limits");
  const closeStale = () =>
    closeStaleSessions().catch((error: unknown) => {
      log.error("botdesk", "closing silent tunnel sessions failed", { error: error instanceof Error ? error.message : error });
    });
  setInterval(closeStale, SWEEP_INTERVAL_SECONDS * 1000).unref();
  // Event streams: one pass at a time per instance; instances share the queue (each destination claimed by one).
  const { deliverDueEvents, purgeDeliveryLog } = await import("./lib/domain/event-streams/deliver-events");
  let delivering = false;
  const deliver = () => {
    if (delivering) return;
    delivering = true;
    deliverDueEvents()
      .catch((error: unknown) => {
        log.error("botdesk", "sending event-stream messages failed", { error: error instanceof Error ? error.message : error });
      })
      .finally(() => {
        delivering = false;
      });
  };
  setInterval(deliver, 1_000).unref();
  const purgeLog = () =>
    purgeDeliveryLog().catch((error: unknown) => {
      log.error("botdesk", "purging the event-stream delivery log failed", { error: error instanceof Error ? error.message : error });
    });
  setInterval(purgeLog, 3_600_000).unref();
}
