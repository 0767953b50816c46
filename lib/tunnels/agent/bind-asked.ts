import type { CredentialActor, RequestContext } from "@/lib/domain/access/types";
import { bindEndpoint, type BoundEndpoint } from "@/lib/domain/agent-sessions/bind-endpoint";
import { freeTcpPort } from "@/lib/domain/agent-sessions/free-tcp-port";
import { randomTunnelHostname } from "@/lib/domain/domains/random-tunnel-hostname";
import { fail, type Result } from "@/lib/domain/result";
import { endpointForPort } from "@/lib/tunnels/registry/live-endpoints";
import type { BindMessage } from "./messages";

export interface BindSettings {
  /** The tunnel domain: random names under it, and the host of TCP addresses. */
  domain: string;
  tcpPorts: { from: number; to: number } | "off";
  /** The URL the ingress serves a hostname at. */
  publicUrl: (hostname: string) => string;
}

/**
 * What an agent's Bind asks for, bound through bindEndpoint (the ACL, the
 * hostname rules, one endpoint per hostname or address):
 *
 * - http/https: the `Domain` (or older `Hostname`) asked, which the account
 *   must have reserved; none: a random name under the tunnel domain, handed
 *   out by Botdesk (no reservation needed). `Subdomain` is refused;
 * - tcp: the `Addr` asked when it is the tunnel domain's (or a bare port) in
 *   BOTDESK_TCP_PORTS; none: a free port of the range, picked again if another
 *   instance took it meanwhile.
 */
export async function bindAsked(actor: CredentialActor, ctx: RequestContext, sessionId: string, bind: BindMessage, settings: BindSettings): Promise<Result<BoundEndpoint>> {
  if (bind.Proto.toLowerCase() === "tcp") return bindTcp(actor, ctx, sessionId, bind, settings);
  if (bind.Opts.Subdomain) return fail("invalid_hostname", "Subdomains are not supported by Botdesk: ask for a domain your account reserved, or none for a random name.");
  const named = (bind.Opts.Domain || bind.Opts.Hostname).trim().toLowerCase() || null;
  const hostname = named ?? (await randomTunnelHostname(undefined, settings.domain));
  return bindEndpoint(actor, ctx, sessionId, { url: settings.publicUrl(hostname) }, { assignedHostname: named === null });
}

async function bindTcp(actor: CredentialActor, ctx: RequestContext, sessionId: string, bind: BindMessage, settings: BindSettings): Promise<Result<BoundEndpoint>> {
  const { domain, tcpPorts: range } = settings;
  if (range === "off") return fail("invalid_input", "TCP endpoints are turned off on this Botdesk (BOTDESK_TCP_PORTS=off).");
  const at = (port: number) => bindEndpoint(actor, ctx, sessionId, { url: `tcp://${domain}:${port}` }, { assignedHostname: true });
  const asked = bind.Opts.Addr.trim();
  if (asked) {
    const m = /^(?:(.*):)?(\d{1,5})$/.exec(asked);
    const port = m ? Number(m[2]) : NaN;
    const host = m?.[1]?.toLowerCase();
    if (!m || (host && host !== domain) || port < range.from || port > range.to) {
      return fail("invalid_input", `Botdesk serves TCP endpoints at ${domain}:${range.from}-${range.to}: ask for one of those addresses, or none.`);
    }
    return at(port);
  }
  // Ports this process serves are skipped outright; one another instance takes between the pick and the bind is refused (endpoint_online): pick again.
  const tried = new Set<number>();
  for (let port = range.from; port <= range.to; port++) if (endpointForPort(port)) tried.add(port);
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeTcpPort(domain, range, tried);
    if (port === null) break;
    tried.add(port);
    const bound = await at(port);
    if (bound.ok || bound.code !== "endpoint_online") return bound;
  }
  return fail("invalid_input", `No free TCP port in ${range.from}-${range.to}: try again later.`);
}
