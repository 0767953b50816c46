import { stopBeforeExit } from "@/lib/server/stop-before-exit";
import type https from "node:https";
import type { AddressInfo } from "node:net";
import { readEnv } from "@/lib/env";
import { log } from "@/lib/server/log";
import { isEveryInterface, reachability, urlHost } from "@/lib/server/bind-host";
import { ingressTls } from "@/lib/tunnels/tls/ingress-tls";
import { trafficMeter } from "@/lib/tunnels/metering/traffic-meter";
import { createIngressServer, type IngressServer } from "./ingress-server";
import { startTcpIngress, type TcpIngress } from "./tcp-ingress";
import { remoteLookupOfThisProcess } from "@/lib/tunnels/forwarder/serve-forwarder";

const STARTED = Symbol.for("botdesk.ingress");
type Flagged = typeof globalThis & { [STARTED]?: boolean };

/**
 * The ingress in the web server's process (started once from listeners.ts):
 * HTTP (HTTPS with BOTDESK_INGRESS_TLS_CERT / _KEY) on BOTDESK_INGRESS_PORT,
 * the TCP ingress on BOTDESK_TCP_PORTS, each off with "off", both bound to
 * BOTDESK_HOST, and the traffic meter's periodic write. A port in use is said
 * and the web server runs on without it. Before the process exits (a signal,
 * the launcher dying), the listeners close and the traffic counted but not yet
 * written is written: process.exit waits for that, at most 5 s.
 */
export async function serveIngressInThisProcess(): Promise<void> {
  const flagged = globalThis as Flagged;
  if (flagged[STARTED]) return;
  flagged[STARTED] = true;
  const env = readEnv();
  const say = (line: string) => log.info("botdesk", line);
  const host = env.BOTDESK_HOST;
  const meter = trafficMeter();
  let http: IngressServer | undefined;
  let tcp: TcpIngress | undefined;
  if (env.BOTDESK_INGRESS_PORT === "off" && env.BOTDESK_TCP_PORTS === "off") return;
  meter.start();

  if (env.BOTDESK_INGRESS_PORT !== "off") {
    const port = env.BOTDESK_INGRESS_PORT;
    const tls = await ingressTls();
    // A Host whose agent is on another instance is forwarded there (started before, in listeners.ts).
    const remote = remoteLookupOfThisProcess();
    const server = createIngressServer({ tls: tls?.current(), limits: { maxConnectionsPerIp: env.BOTDESK_MAX_CONNECTIONS_PER_IP }, log: say, remote: remote?.forHost });
    if (tls) tls.onChange((options) => (server as https.Server).setSecureContext(options));
    server.on("error", (error: NodeJS.ErrnoException) => {
      say(error.code === "EADDRINUSE" ? `Ingress not started: port ${port} is in use (set BOTDESK_INGRESS_PORT, or "off").` : `Ingress stopped: ${error.message}`);
    });
    await new Promise<void>((resolve) => {
      server.once("error", () => resolve());
      server.listen({ port, host, exclusive: true }, () => {
        http = server;
        const bound = (server.address() as AddressInfo).port;
        const scheme = tls ? "https" : "http";
        const shown = `${scheme}://<name>.${env.BOTDESK_TUNNEL_DOMAIN}${(tls && bound === 443) || (!tls && bound === 80) ? "" : `:${bound}`}`;
        say(`Ingress for tunnels on port ${bound} (${scheme.toUpperCase()}): ${shown} ${reachability(host)}`);
        resolve();
      });
    });
  }
  if (env.BOTDESK_TCP_PORTS !== "off") {
    const range = env.BOTDESK_TCP_PORTS;
    tcp = await startTcpIngress({ ports: range, host, maxConnectionsPerIp: env.BOTDESK_MAX_CONNECTIONS_PER_IP, log: say, remote: remoteLookupOfThisProcess()?.forPort });
    if (tcp.ports.length > 0) say(`TCP endpoints on ports ${range.from}-${range.to} (${tcp.ports.length} listening): tcp://${isEveryInterface(host) ? "<host>" : urlHost(host)}:<port>`);
    if (tcp.skipped.length > 0) {
      const shown = tcp.skipped.slice(0, 5).map((s) => `${s.port} (${s.reason})`).join(", ");
      say(`TCP endpoints: ${tcp.skipped.length} port(s) of BOTDESK_TCP_PORTS not served: ${shown}${tcp.skipped.length > 5 ? ", …" : ""}`);
    }
  }

  // What was counted is written before the process exits.
  stopBeforeExit(
    async () => {
      await Promise.all([http?.stop(), tcp?.stop()]);
      await meter.stop();
    },
    (error) => say(`Ingress: writing the metered traffic failed: ${error instanceof Error ? error.message : String(error)}`),
  );
}
