import { readEnv } from "@/lib/env";
import { START_REFUSED_EXIT_CODE } from "@/lib/launcher/crash-policy";
import { log } from "@/lib/server/log";

/**
 * The listeners an instance runs beside the dashboard, in the web server's own
 * process (started once from instrumentation.ts when the launcher sets
 * BOTDESK_SERVE_LISTENERS=1: `npm start` and `npm run dev`, not a bare
 * `next start`): the SSH server for agents, the listener for ngrok's agents
 * (lib/tunnels/agent), the TLS the agent listener and the ingress serve
 * (lib/tunnels/tls: made or loaded here, never at build time or in the
 * launcher), and the ingress for tunnels' HTTP(S) and TCP endpoints with the
 * traffic meter (lib/tunnels/ingress/serve-ingress.ts), and first the
 * instance-to-instance forwarder (lib/tunnels/forwarder). Each one binds to BOTDESK_HOST (the launcher sets it:
 * loopback for the embedded demo), says on the console where it is reachable,
 * and is off when its port setting is "off".
 *
 * What would make a listener serve the wrong thing stops the start with a
 * message saying what to do: a stored key this AUTH_SECRET cannot decrypt
 * (never replaced by a new one silently), an operator's certificate pair that
 * is unreadable, mismatched or expired. The launcher then stops too.
 *
 * With several web workers only worker 1 runs them (lib/launcher/web-workers.ts), so every agent's
 * session, and the ingress that pipes to it, live in one process: no hop between workers. Each
 * binds with `exclusive: true`, its own socket in that worker rather than one the cluster's primary
 * shares: its connections skip the launcher, and its port is free again the moment the worker dies.
 */
export async function startListeners(): Promise<void> {
  const env = readEnv();
  try {
    // First: the sessions the agent listener and SSH start record where this instance is reached.
    const { serveForwarderInThisProcess } = await import("@/lib/tunnels/forwarder/serve-forwarder");
    await serveForwarderInThisProcess();
    if (env.BOTDESK_AGENT_PORT !== "off") {
      const { agentTls } = await import("@/lib/tunnels/tls/agent-tls");
      const tls = await agentTls();
      const { serveAgentsInThisProcess } = await import("@/lib/tunnels/agent/serve-in-web-server");
      await serveAgentsInThisProcess(tls);
    }
    if (env.BOTDESK_INGRESS_PORT !== "off") {
      const { ingressTls } = await import("@/lib/tunnels/tls/ingress-tls");
      await ingressTls();
    }
    const { serveSshInThisProcess } = await import("@/lib/ssh/serve-in-web-server");
    await serveSshInThisProcess();
    // After SSH: the ingress's exit hook runs first, then SSH's (ending its sessions writes their traffic too).
    const { serveIngressInThisProcess } = await import("@/lib/tunnels/ingress/serve-ingress");
    await serveIngressInThisProcess();
  } catch (error) {
    log.error("botdesk", `Could not start: ${error instanceof Error ? error.message : String(error)}`);
    // Not a crash: the launcher stops rather than start it again into the same refusal.
    process.exit(START_REFUSED_EXIT_CODE);
  }
}
