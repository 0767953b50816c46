/**
 * The listeners an instance runs beside the dashboard, in the web server's own
 * process (started once from instrumentation.ts when the launcher sets
 * BOTDESK_SERVE_LISTENERS=1: `npm start` and `npm run dev`, not a bare
 * `next start`): the SSH server for agents today. Each one binds to
 * BOTDESK_HOST (the launcher sets it: loopback for the embedded demo), says on
 * the console where it is reachable, and is off when its port setting is "off".
 */
export async function startListeners(): Promise<void> {
  const { serveSshInThisProcess } = await import("@/lib/ssh/serve-in-web-server");
  serveSshInThisProcess();
}
