import { BlockList, isIP } from "node:net";
import { env } from "@/lib/env";
import { PEER_ADDRESS_HEADER, peerAddressHeaderInstalled } from "@/lib/server/peer-address";
import type { RequestContext } from "@/lib/domain/access/types";

export type TrustedProxies = { kind: "none" } | { kind: "hops"; count: number } | { kind: "list"; list: BlockList };

/** BOTDESK_TRUSTED_PROXIES, parsed (lib/env.ts has checked its form). */
export function parseTrustedProxies(setting: string | undefined): TrustedProxies {
  if (!setting) return { kind: "none" };
  if (/^\d+$/.test(setting)) return Number(setting) === 0 ? { kind: "none" } : { kind: "hops", count: Number(setting) };
  const list = new BlockList();
  for (const entry of setting.split(",").map((e) => e.trim()).filter(Boolean)) {
    const [address = "", prefix] = entry.split("/");
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    try {
      if (prefix === undefined) list.addAddress(address, type);
      else list.addSubnet(address, Number(prefix), type);
    } catch {
      throw new Error(`Invalid configuration: BOTDESK_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
    }
  }
  return { kind: "list", list };
}

const normalise = (ip: string) => ip.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
const isTrusted = (list: BlockList, ip: string) => isIP(ip) !== 0 && list.check(ip, isIP(ip) === 6 ? "ipv6" : "ipv4");

/**
 * The client's address. The socket's peer is the only address nobody can
 * forge; X-Forwarded-For entries are believed only as far as trusted proxies
 * vouch for them, read from the right (each proxy appends the address it saw).
 */
export function clientIp(peer: string | null, forwardedFor: string | null, trusted: TrustedProxies): string | null {
  const chain = [...(forwardedFor ?? "").split(",").map(normalise).filter(Boolean), ...(peer ? [normalise(peer)] : [])];
  if (trusted.kind === "none" || chain.length === 0) return peer ? normalise(peer) : null;
  if (trusted.kind === "hops") return chain[Math.max(0, chain.length - 1 - trusted.count)] ?? null;
  let i = chain.length - 1;
  while (i > 0 && isTrusted(trusted.list, chain[i]!)) i--;
  return chain[i] ?? null;
}

const trustedProxies = parseTrustedProxies(env.BOTDESK_TRUSTED_PROXIES);

/** The client's address and agent, for events and rate limits. */
export function requestContextFrom(headers: Headers): RequestContext {
  // Without the server hook the header could come from the client: then no peer is known.
  const peer = peerAddressHeaderInstalled() ? headers.get(PEER_ADDRESS_HEADER) : null;
  const ip = clientIp(peer, headers.get("x-forwarded-for"), trustedProxies);
  return { ip: ip ? ip.slice(0, 64) : null, userAgent: headers.get("user-agent")?.slice(0, 512) ?? null };
}
