import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { readEnv } from "@/lib/env";

/**
 * Where an event destination may point (server-side request forgery): never
 * at this machine, its network or a cloud's metadata service, whatever a name
 * resolves to, unless BOTDESK_DESTINATION_ALLOW lists the range. Checked when
 * a destination is saved and again at every delivery (DNS may change), and
 * the delivery then connects to the very address that was checked.
 */
const REFUSED = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, with the metadata services at 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  REFUSED.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 96], // unspecified, loopback and IPv4-compatible (::127.0.0.1)
  ["100::", 64], // discard-only
  ["fc00::", 7], // unique local, with AWS's metadata service fd00:ec2::254
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96], // NAT64 of IPv4 addresses
] as const) {
  REFUSED.addSubnet(net, bits, "ipv6");
}

function allowList(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [net, bits] = range.split("/") as [string, string];
    const family = isIP(net) === 6 ? "ipv6" : "ipv4";
    list.addSubnet(net, Number(bits), family);
  }
  return list;
}

// Read when first needed, not at import: tests and scripts set the environment before they use it.
let allowed: BlockList | null = null;
const allowedRanges = () => (allowed ??= allowList(readEnv().BOTDESK_DESTINATION_ALLOW));

/** An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address. */
function normalized(address: string): { address: string; family: "ipv4" | "ipv6" } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: "ipv4" };
  return { address, family: isIP(address) === 6 ? "ipv6" : "ipv4" };
}

/** Whether BOTDESK_DESTINATION_ALLOW lists this address. */
export function isAllowedAddress(address: string): boolean {
  const a = normalized(address);
  return allowedRanges().check(a.address, a.family);
}

/** Whether a destination may be reached at this address: public, or in an allowed range. */
export function isSafeAddress(address: string): boolean {
  const a = normalized(address);
  return isAllowedAddress(address) || !REFUSED.check(a.address, a.family);
}

export type Resolved = { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string; unresolved?: true };

/**
 * Resolves a URL's host and checks EVERY address it resolves to (one bad
 * address refuses it: the connection could go to any of them); returns the
 * first, to connect to. Plain HTTP only to allowed ranges.
 */
export async function resolveSafely(url: URL): Promise<Resolved> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      return { ok: false, reason: `${host} does not resolve`, unresolved: true };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: `${host} does not resolve`, unresolved: true };
  const unsafe = addresses.find((a) => !isSafeAddress(a.address));
  if (unsafe) return { ok: false, reason: `${host} resolves to ${unsafe.address}, a loopback, link-local, private or metadata address` };
  if (url.protocol === "http:" && !addresses.every((a) => isAllowedAddress(a.address))) {
    return { ok: false, reason: "plain http:// is only for addresses BOTDESK_DESTINATION_ALLOW lists: use https://" };
  }
  const first = addresses[0]!;
  return { ok: true, address: first.address, family: first.family === 6 ? 6 : 4 };
}
