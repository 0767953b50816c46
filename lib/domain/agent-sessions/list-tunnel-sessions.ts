import { db } from "@/lib/db/client";
import { Prisma } from "@/lib/db/generated/client";
import type { Actor } from "@/lib/domain/access/types";
import { KEYSET_MAX_LIMIT, type KeysetPage } from "@/lib/domain/keyset";
import { canManage, mayViewIpOf } from "@/lib/domain/permissions";
import type { TunnelSessionView } from "./session-view";

interface SessionRow {
  id: string;
  principal_id: string;
  principal_name: string | null;
  principal_kind: string | null;
  credential_id: string;
  credential_display: string;
  transport: string;
  ip: string | null;
  agent_version: string;
  os: string;
  arch: string;
  metadata: string;
  hostname: string | null;
  client_id: string | null;
  user_agent: string | null;
  region: string;
  started_at: Date;
  last_heartbeat_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
  bytes_in: bigint;
  bytes_out: bigint;
  requests: bigint;
}

export interface ListTunnelSessionsQuery {
  /** Only sessions older than this one (keyset paging, newest first). */
  beforeId?: string | null;
  /** 1..100 (default 100). */
  limit?: number;
  /** Only this bot's sessions (the bot page). */
  botId?: string;
  /** Only open sessions (online now). */
  onlyOpen?: boolean;
}

/**
 * The actor's account's tunnel sessions, newest first, paged by id (ids sort
 * by start time): each with its principal, credential, endpoints and traffic.
 * Admins see every principal's; members their own and the bots' (as with
 * credentials), and only their own IP. An index walk on (account_id, id) or,
 * for one bot, (principal_id, id).
 */
export async function listTunnelSessions(actor: Actor, query: ListTunnelSessionsQuery = {}): Promise<KeysetPage<TunnelSessionView>> {
  const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? KEYSET_MAX_LIMIT)), KEYSET_MAX_LIMIT);
  const where: Prisma.Sql[] = [Prisma.sql`s.account_id = ${actor.account.id}`];
  if (query.botId) where.push(Prisma.sql`s.principal_id = ${query.botId}`);
  if (query.beforeId) where.push(Prisma.sql`s.id < ${query.beforeId}`);
  if (query.onlyOpen) where.push(Prisma.sql`s.ended_at IS NULL`);
  if (!canManage(actor)) where.push(Prisma.sql`(s.principal_id = ${actor.principal.id} OR p.kind = 'bot')`);
  const rows = await db().$queryRaw<SessionRow[]>`
    SELECT s.id, s.principal_id, p.name AS principal_name, p.kind::text AS principal_kind, s.credential_id, s.credential_display,
           s.transport, s.ip, s.agent_version, s.os, s.arch, s.metadata, s.hostname, s.client_id, s.user_agent, s.region, s.started_at, s.last_heartbeat_at,
           s.ended_at, s.end_reason, s.bytes_in, s.bytes_out, s.requests
    FROM tunnel_sessions s
    LEFT JOIN principals p ON p.id = s.principal_id
    WHERE ${Prisma.join(where, " AND ")}
    ORDER BY s.id DESC
    LIMIT ${limit + 1}`;
  const page = rows.slice(0, limit);
  return { rows: await withEndpoints(actor, page), hasMore: rows.length > limit };
}

/** One session of the actor's account that the actor may see, or null. */
export async function getTunnelSession(actor: Actor, id: string): Promise<TunnelSessionView | null> {
  const rows = await db().$queryRaw<SessionRow[]>`
    SELECT s.id, s.principal_id, p.name AS principal_name, p.kind::text AS principal_kind, s.credential_id, s.credential_display,
           s.transport, s.ip, s.agent_version, s.os, s.arch, s.metadata, s.hostname, s.client_id, s.user_agent, s.region, s.started_at, s.last_heartbeat_at,
           s.ended_at, s.end_reason, s.bytes_in, s.bytes_out, s.requests
    FROM tunnel_sessions s
    LEFT JOIN principals p ON p.id = s.principal_id
    WHERE s.id = ${id} AND s.account_id = ${actor.account.id}
      AND (${canManage(actor)} OR s.principal_id = ${actor.principal.id} OR p.kind = 'bot')`;
  const [view] = await withEndpoints(actor, rows);
  return view ?? null;
}

async function withEndpoints(actor: Actor, rows: SessionRow[]): Promise<TunnelSessionView[]> {
  if (rows.length === 0) return [];
  const endpoints = await db().tunnelEndpoint.findMany({
    where: { sessionId: { in: rows.map((r) => r.id) } },
    orderBy: { id: "asc" },
    select: { id: true, sessionId: true, url: true, hostname: true, labels: true, createdAt: true, endedAt: true },
  });
  return rows.map((r) => ({
    id: r.id,
    principal: { id: r.principal_id, name: r.principal_name ?? r.principal_id, kind: (r.principal_kind ?? "bot") as "person" | "bot" },
    credential: { id: r.credential_id, display: r.credential_display },
    transport: r.transport,
    ip: mayViewIpOf(actor, r.principal_id) ? r.ip : null,
    agentVersion: r.agent_version,
    os: r.os,
    arch: r.arch,
    metadata: r.metadata,
    hostname: r.hostname,
    clientId: r.client_id,
    userAgent: r.user_agent,
    region: r.region,
    startedAt: r.started_at,
    lastHeartbeatAt: r.last_heartbeat_at,
    endedAt: r.ended_at,
    endReason: r.end_reason,
    bytesIn: Number(r.bytes_in),
    bytesOut: Number(r.bytes_out),
    requests: Number(r.requests),
    endpoints: endpoints
      .filter((e) => e.sessionId === r.id)
      .map((e) => ({ id: e.id, url: e.url, hostname: e.hostname, labels: e.labels as Record<string, string>, createdAt: e.createdAt, endedAt: e.endedAt })),
  }));
}
