import type { DomainName } from "@/lib/validation/domain-name";
import { zoneKeyOf } from "@/lib/validation/domain-name";

/**
 * The rules between names, pure (every case is a unit test), as ngrok states
 * them for its domains:
 *
 * - A reservation OWNS its name and every name under it, at any depth
 *   (`app.example.com` owns `x.app.example.com`; `*.example.com` owns every
 *   name under example.com). Two accounts' reservations may never overlap:
 *   one's name may not be, contain or lie under the other's. Within one
 *   account they may (`*.example.com` and `app.example.com` both).
 * - A reservation COVERS the hostnames an agent of its account may bind: an
 *   exact name covers itself only; a wildcard `*.example.com` covers every
 *   name under example.com at any depth (`a.example.com`, `a.b.example.com`,
 *   and the wildcard endpoints `*.example.com`, `*.a.example.com`), never
 *   `example.com` itself.
 *
 * Both compare zone keys (a name's labels reversed, `com.example.`), so "under"
 * always means whole labels: `myexample.com` is not under `example.com`.
 */

/** Whether two names' zones overlap: one's base is the other's, or lies under it. */
export function zonesOverlap(a: Pick<DomainName, "zoneKey">, b: Pick<DomainName, "zoneKey">): boolean {
  return a.zoneKey.startsWith(b.zoneKey) || b.zoneKey.startsWith(a.zoneKey);
}

/** Whether `reservation` lets its account bind `hostname` (itself exact, or a wildcard endpoint). */
export function reservationCovers(reservation: Pick<DomainName, "wildcard" | "zoneKey">, hostname: Pick<DomainName, "wildcard" | "zoneKey">): boolean {
  if (!reservation.wildcard) return !hostname.wildcard && hostname.zoneKey === reservation.zoneKey;
  if (!hostname.zoneKey.startsWith(reservation.zoneKey)) return false;
  // *.example.com covers *.example.com and names strictly under example.com, not example.com.
  return hostname.wildcard || hostname.zoneKey !== reservation.zoneKey;
}

/**
 * The zone keys of a name and of every name above it that has at least two
 * labels, longest first: `com.example.a.b.` → itself, `com.example.a.`,
 * `com.example.`. (No reservation has fewer than two labels, so none sits higher.)
 */
export function zoneKeyAndAncestors(zoneKey: string): string[] {
  const labels = zoneKey.split(".").slice(0, -1);
  const keys: string[] = [];
  for (let n = labels.length; n >= 2; n--) keys.push(labels.slice(0, n).map((l) => `${l}.`).join(""));
  return keys;
}

/**
 * Why a name may not be reserved because of the tunnel domain, or null. Random
 * hostnames are handed out directly under the tunnel domain
 * (`<random>.tunnel.localhost`), so the tunnel domain itself, a wildcard of it,
 * and any name above it (which would own it) are refused; names under it
 * (`myapp.tunnel.localhost`, `*.myapp.tunnel.localhost`) are reserved like any other.
 */
export function tunnelDomainRefusal(name: DomainName, tunnelDomain: string): { code: "tunnel_domain" | "tunnel_domain_wildcard"; message: string } | null {
  const tunnelKey = zoneKeyOf(tunnelDomain);
  if (!tunnelKey.startsWith(name.zoneKey)) return null;
  if (name.wildcard && name.zoneKey === tunnelKey) {
    return { code: "tunnel_domain_wildcard", message: `${name.domain} can't be reserved: Botdesk hands out random names under ${tunnelDomain} itself. Reserve one name under it, such as myapp.${tunnelDomain}.` };
  }
  if (name.zoneKey === tunnelKey) {
    return { code: "tunnel_domain", message: `${name.domain} is this server's tunnel domain and can't be reserved. Reserve a name under it, such as myapp.${tunnelDomain}.` };
  }
  return { code: "tunnel_domain", message: `${name.domain} can't be reserved: it contains this server's tunnel domain ${tunnelDomain}, whose names Botdesk hands out.` };
}
