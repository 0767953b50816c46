import { endpointHolder, type EndpointHolder } from "@/lib/domain/agent-sessions/endpoint-holder";
import { hostnameOf, type LiveEndpoint } from "@/lib/tunnels/registry/live-endpoints";
import { openForwarded } from "./open-forwarded";

export interface RemoteLookup {
  /** The endpoint serving `host` on another instance, if the database says one does. */
  forHost(host: string): Promise<LiveEndpoint | undefined>;
  /** The TCP endpoint `tcp://<domain>:<port>` on another instance, if one does. */
  forPort(port: number): Promise<LiveEndpoint | undefined>;
}

/** Database reads for endpoints held elsewhere in flight at once: more are answered "no endpoint" without a read (a flood of unknown Hosts cannot queue on the pool). */
export const MAX_LOOKUPS_IN_FLIGHT = 64;

export interface RemoteLookupOptions {
  key: Buffer;
  /** This instance's own address: a row naming it is not forwarded (it is a previous life's, or not registered yet). */
  self: string | null;
  /** The tunnel domain TCP endpoints' URLs are under (tcp://<domain>:<port>). */
  domain: string;
  /** The database read (default endpointHolder); tests may point it elsewhere. */
  holder?: typeof endpointHolder;
  timeoutMs?: number;
  maxInFlight?: number;
}

/**
 * The sending side of the instance-to-instance forwarder, for the ingress:
 * when no endpoint is live in this process, the database says which instance
 * holds it, and the endpoint returned opens each stream THERE (open-forwarded.ts).
 * Looked up for every request, never cached: an endpoint that moved to another
 * instance is found at its new place by the next request. At most
 * MAX_LOOKUPS_IN_FLIGHT reads at once; beyond, "no endpoint" (ERR_NGROK_3200).
 */
export function remoteLookup(opts: RemoteLookupOptions): RemoteLookup {
  const holderOf = opts.holder ?? endpointHolder;
  const maxInFlight = opts.maxInFlight ?? MAX_LOOKUPS_IN_FLIGHT;
  let inFlight = 0;
  const read = async (where: Parameters<typeof endpointHolder>[0]): Promise<EndpointHolder | null> => {
    if (inFlight >= maxInFlight) return null;
    inFlight += 1;
    try {
      return await holderOf(where);
    } finally {
      inFlight -= 1;
    }
  };
  const endpoint = (holder: EndpointHolder, target: { hostname: string } | { port: number }, url: string): LiveEndpoint | undefined => {
    if (holder.instanceAddress === opts.self) return undefined;
    const hostname = "hostname" in target ? target.hostname : undefined;
    const tcpPort = "port" in target ? target.port : undefined;
    return {
      endpointId: holder.endpointId,
      sessionId: holder.sessionId,
      accountId: holder.accountId,
      principalId: holder.principalId,
      proto: tcpPort !== undefined ? "tcp" : url.startsWith("https:") ? "https" : "http",
      hostname,
      tcpPort,
      url,
      forwarded: true,
      open: ({ clientAddr, proto }) =>
        openForwarded(holder.instanceAddress, opts.key, { endpointId: holder.endpointId, proto, hostname, port: tcpPort, clientAddr: clientAddr.slice(0, 128) }, opts.timeoutMs),
    };
  };
  return {
    async forHost(host) {
      const hostname = hostnameOf(host);
      if (!hostname || hostname.length > 253) return undefined;
      const holder = await read({ hostname });
      return holder ? endpoint(holder, { hostname }, `https://${hostname}`) : undefined;
    },
    async forPort(port) {
      const url = `tcp://${opts.domain}:${port}`;
      const holder = await read({ tcpUrl: url });
      return holder ? endpoint(holder, { port }, url) : undefined;
    },
  };
}
