import { Prisma } from "@/lib/db/generated/client";
import { parseDomainName, type DomainName } from "@/lib/validation/domain-name";
import { lockName } from "./lock-names";
import { reservationCovers, zoneKeyAndAncestors } from "./zones";

export type BindRefusalCode = "invalid_hostname" | "hostname_not_reserved" | "hostname_reserved_elsewhere" | "endpoint_online";

export type BindDecision = { ok: true; hostname: string } | { ok: false; code: BindRefusalCode; message: string };

export interface MayBindOptions {
  /**
   * The server handed this hostname out itself (randomTunnelHostname, or a TCP
   * address it allocated), so the account need not have reserved it; it is
   * still refused when anyone's reservation overlaps it.
   */
  assigned?: boolean;
  /** The endpoint's URL: a `tcp://host:port` address is one endpoint per address, any other one endpoint per hostname. */
  url?: string | null;
}

/**
 * THE rule every bind of a hostname follows (ngrok's agent protocol, SSH
 * `-R`), checked in the transaction that inserts the endpoint:
 *
 * - the account has reserved the hostname, or a wildcard that covers it (at any
 *   depth: `*.example.com` covers `a.b.example.com`; zones.ts), case ignored and
 *   a trailing dot dropped; else `hostname_reserved_elsewhere` (ngrok's
 *   ERR_NGROK_320) when another account's reservation owns it, and
 *   `hostname_not_reserved` (ERR_NGROK_319) when nobody's does. A name the
 *   server handed out (`assigned`) needs no reservation but is refused when
 *   any reservation overlaps it;
 * - no endpoint is online on the hostname (for TCP, the address) in any
 *   session of any account on any instance: else `endpoint_online`
 *   (ERR_NGROK_334).
 *
 * Takes the name's lock (lockName) first, held until the caller's transaction
 * ends, so the decision stays true until the endpoint is inserted: two binds of
 * one hostname, or a bind and a reservation of an overlapping name, never both
 * pass. The partial unique indexes on open endpoints' hostnames and TCP
 * addresses back the second rule in the database itself.
 */
export async function mayBindHostname(tx: Prisma.TransactionClient, accountId: string, hostname: string, opts: MayBindOptions = {}): Promise<BindDecision> {
  const parsed = parseDomainName(hostname);
  if (!parsed.ok) return { ok: false, code: "invalid_hostname", message: `${hostname.slice(0, 253)} is not a hostname: ${parsed.message}.` };
  const name = parsed.name;
  await lockName(tx, name.zoneKey);

  // Reservations at or above the name; for a name the server hands out, also those under it (they own part of it).
  const reservations = await tx.$queryRaw<{ account_id: string; zone_key: string; wildcard: boolean }[]>`
    SELECT account_id, zone_key, domain LIKE '*.%' AS wildcard FROM reserved_domains
    WHERE zone_key = ANY(${zoneKeyAndAncestors(name.zoneKey)}::text[])
      ${opts.assigned ? Prisma.sql`OR zone_key LIKE ${`${name.zoneKey}%`}` : Prisma.empty}`;
  if (opts.assigned) {
    if (reservations.some((r) => r.account_id !== accountId)) return reservedElsewhere(name);
  } else if (!reservations.some((r) => r.account_id === accountId && reservationCovers({ wildcard: r.wildcard, zoneKey: r.zone_key }, name))) {
    return reservations.some((r) => r.account_id !== accountId)
      ? reservedElsewhere(name)
      : {
          ok: false,
          code: "hostname_not_reserved",
          message: `You must reserve ${name.domain} for this account before an agent can bind it: reserve it (or a wildcard above it) under Settings → Domains or with POST /api/v1/reserved_domains.`,
        };
  }

  const tcp = opts.url?.startsWith("tcp://") ?? false;
  const [online] = tcp
    ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM tunnel_endpoints WHERE ended_at IS NULL AND url = ${opts.url} LIMIT 1`
    : await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM tunnel_endpoints WHERE ended_at IS NULL AND hostname = ${name.domain} AND url NOT LIKE 'tcp://%' LIMIT 1`;
  if (online) {
    return {
      ok: false,
      code: "endpoint_online",
      message: `The endpoint ${tcp ? opts.url : name.domain} is already online: one endpoint serves it at a time. Stop the existing endpoint first.`,
    };
  }
  return { ok: true, hostname: name.domain };
}

const reservedElsewhere = (name: DomainName): BindDecision => ({
  ok: false,
  code: "hostname_reserved_elsewhere",
  message: `${name.domain} is reserved for another account. If you reserved it, use an authtoken of the account that did.`,
});
