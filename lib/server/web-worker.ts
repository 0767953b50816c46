/**
 * Which of the instance's web workers this process is (BOTDESK_WEB_WORKER, set by the launcher on each
 * worker when BOTDESK_WEB_WORKERS runs several: lib/launcher/web-workers.ts), or undefined for a single
 * web server. Worker 1 runs the instance's listeners and background jobs; a single server runs them too.
 */
export function webWorker(): number | undefined {
  const n = Number(process.env.BOTDESK_WEB_WORKER);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** Whether this process runs what runs once per instance: the listeners for agents and the background jobs. */
export function runsInstanceJobs(): boolean {
  return (webWorker() ?? 1) === 1;
}
