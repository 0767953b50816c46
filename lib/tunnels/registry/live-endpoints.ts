import type { Duplex } from "node:stream";

/**
 * The endpoints this process serves right now, whoever carries them: an agent
 * speaking ngrok's protocol (lib/tunnels/agent: a Proxy stream per connection)
 * or an `ssh -R` client (lib/ssh: a forwarded-tcpip channel per connection).
 * The ingress (lib/tunnels/ingress) looks a connection's Host (or TCP port) up
 * here and asks the endpoint to open a stream to the agent's local service.
 *
 * The database (tunnel_endpoints) says what is bound on every instance; this
 * map says what this process can carry. A carrier registers an endpoint once
 * its bind is recorded and unregisters it when the bind or session ends.
 */
export interface LiveEndpoint {
  /** tunnel_endpoints.id */
  endpointId: string;
  /** tunnel_sessions.id: the session whose traffic this is. */
  sessionId: string;
  accountId: string;
  /** The credential's owner (bot or person), to whom usage is attributed. */
  principalId: string;
  /** `http` | `https` | `tcp` as bound. */
  proto: "http" | "https" | "tcp";
  /** Lowercase hostname for http/https endpoints. */
  hostname?: string;
  /** The ingress port for tcp endpoints. */
  tcpPort?: number;
  /** The URL the bind answered. */
  url: string;
  /**
   * Opens one stream to the agent for one incoming connection: the raw bytes
   * of that connection go both ways through the returned duplex. Rejects when
   * the agent is gone (the ingress then answers 502).
   */
  open(conn: { clientAddr: string; proto: "http" | "https" | "tcp" }): Promise<Duplex>;
  /**
   * Set on an endpoint whose agent another instance holds (lib/tunnels/forwarder):
   * open() reaches that instance, which meters the traffic; this one counts none of it.
   */
  forwarded?: true;
}

const byHost = new Map<string, LiveEndpoint>();
const byPort = new Map<number, LiveEndpoint>();

/** Serves `endpoint` from this process; returns the way to stop serving it. A host or port already served here is refused (false). */
export function registerEndpoint(endpoint: LiveEndpoint): (() => void) | false {
  const key = endpoint.proto === "tcp" ? endpoint.tcpPort : endpoint.hostname;
  if (key === undefined) throw new Error("A live endpoint needs a hostname (http/https) or a TCP port");
  const map = (endpoint.proto === "tcp" ? byPort : byHost) as Map<string | number, LiveEndpoint>;
  if (map.has(key)) return false;
  map.set(key, endpoint);
  return () => {
    if (map.get(key) === endpoint) map.delete(key);
  };
}

/** The endpoint serving `host` (any case, a `:port` suffix ignored) in this process, if any. */
export function endpointForHost(host: string): LiveEndpoint | undefined {
  return byHost.get(hostnameOf(host));
}

/** A Host header's hostname as endpoints are bound: any case, a `:port` suffix and a final dot dropped. */
export function hostnameOf(host: string): string {
  return host.replace(/:\d+$/, "").replace(/\.$/, "").toLowerCase();
}

/** The TCP endpoint serving `port` in this process, if any. */
export function endpointForPort(port: number): LiveEndpoint | undefined {
  return byPort.get(port);
}

/** Every endpoint this process serves (for tests and shutdown). */
export function liveEndpoints(): LiveEndpoint[] {
  return [...byHost.values(), ...byPort.values()];
}
