import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import type { Actor } from "@/lib/domain/access/types";
import { reservationCovers, zoneKeyAndAncestors } from "@/lib/domain/domains/zones";
import type { KeysetPage, KeysetQuery } from "@/lib/domain/keyset";
import { canManage } from "@/lib/domain/permissions";
import { parseDomainName } from "@/lib/validation/domain-name";

/** An endpoint online now, as GET /api/v1/endpoints shows it (ngrok's Endpoint, as far as Botdesk has its fields). */
export interface OnlineEndpointView {
  id: string;
  url: string;
  hostname: string | null;
  createdAt: Date;
  session: { id: string; region: string; transport: string };
  principal: { id: string; kind: "person" | "bot" };
  /** The account's reservation that lets it bind this hostname (the exact name first, else the closest wildcard); null for a random name. */
  domain: { id: string; domain: string } | null;
}

interface Row {
  id: string;
  url: string;
  hostname: string | null;
  created_at: Date;
  session_id: string;
  region: string;
  transport: string;
  principal_id: string;
  principal_kind: string | null;
}

/**
 * What is online in the actor's account: the open endpoints that have a URL
 * (a labeled bind without one is no public endpoint; its session lists it),
 * newest first, paged by id (ids sort by bind time) along the partial index of
 * open endpoints. Visible as their sessions are (listTunnelSessions): admins
 * every principal's, members and bots their own and the bots'.
 */
export async function listOnlineEndpoints(actor: Actor, query: KeysetQuery): Promise<KeysetPage<OnlineEndpointView>> {
  const rows = await db().$queryRaw<Row[]>`
    ${SELECT}
    WHERE e.account_id = ${actor.account.id} AND e.ended_at IS NULL AND e.url IS NOT NULL
      ${query.beforeId ? Prisma.sql`AND e.id < ${query.beforeId}` : Prisma.empty}
      ${visibility(actor)}
    ORDER BY e.id DESC
    LIMIT ${query.limit + 1}`;
  return { rows: await withDomains(actor.account.id, rows.slice(0, query.limit)), hasMore: rows.length > query.limit };
}

/** One endpoint online now in the actor's account that the actor may see; null for ended, unknown, hidden and other accounts' ids alike. */
export async function getOnlineEndpoint(actor: Actor, id: string): Promise<OnlineEndpointView | null> {
  const rows = await db().$queryRaw<Row[]>`
    ${SELECT}
    WHERE e.id = ${id} AND e.account_id = ${actor.account.id} AND e.ended_at IS NULL AND e.url IS NOT NULL ${visibility(actor)}`;
  const [view] = await withDomains(actor.account.id, rows);
  return view ?? null;
}

const SELECT = Prisma.sql`
  SELECT e.id, e.url, e.hostname, e.created_at, e.session_id, s.region, s.transport, e.principal_id, p.kind::text AS principal_kind
  FROM tunnel_endpoints e
  JOIN tunnel_sessions s ON s.id = e.session_id
  LEFT JOIN principals p ON p.id = e.principal_id`;

const visibility = (actor: Actor) => (canManage(actor) ? Prisma.empty : Prisma.sql`AND (e.principal_id = ${actor.principal.id} OR p.kind = 'bot')`);

/** Each row with the account's reservation that covers its hostname, in one query for the page. */
async function withDomains(accountId: string, rows: Row[]): Promise<OnlineEndpointView[]> {
  const names = new Map(rows.flatMap((r) => {
    const parsed = r.hostname ? parseDomainName(r.hostname) : null;
    return parsed?.ok ? [[r.id, parsed.name] as const] : [];
  }));
  const keys = [...new Set([...names.values()].flatMap((n) => zoneKeyAndAncestors(n.zoneKey)))];
  const reservations = keys.length
    ? await db().reservedDomain.findMany({ where: { accountId, zoneKey: { in: keys } }, select: { id: true, domain: true, zoneKey: true } })
    : [];
  // The most specific first: the longest zone key, an exact name before a wildcard of it.
  reservations.sort((a, b) => b.zoneKey.length - a.zoneKey.length || Number(a.domain.startsWith("*.")) - Number(b.domain.startsWith("*.")));
  return rows.map((r) => {
    const name = names.get(r.id);
    const domain = name ? reservations.find((d) => reservationCovers({ wildcard: d.domain.startsWith("*."), zoneKey: d.zoneKey }, name)) : undefined;
    return {
      id: r.id,
      url: r.url,
      hostname: r.hostname,
      createdAt: r.created_at,
      session: { id: r.session_id, region: r.region, transport: r.transport },
      principal: { id: r.principal_id, kind: r.principal_kind === "person" ? "person" : "bot" },
      domain: domain ? { id: domain.id, domain: domain.domain } : null,
    };
  });
}
