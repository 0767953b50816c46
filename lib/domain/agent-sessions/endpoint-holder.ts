import { db } from "@/lib/db/client";
import { SESSION_TIMEOUT_SECONDS } from "./limits";

/** Where an online endpoint's agent is connected, and to whom its traffic belongs. */
export interface EndpointHolder {
  endpointId: string;
  sessionId: string;
  accountId: string;
  principalId: string;
  /** tunnel_sessions.instance_address: the holding instance's forwarder. */
  instanceAddress: string;
}

/**
 * The instance holding the online endpoint for `where` (an HTTP(S) endpoint's
 * hostname, or a TCP endpoint's exact URL), as the database says: the endpoint
 * and its session open, the session's heartbeat not older than
 * SESSION_TIMEOUT_SECONDS (an instance that died without ending its sessions is
 * not forwarded to past that), and an address recorded. Null otherwise. One
 * indexed read (the open-hostname / open-TCP-URL unique indexes).
 */
export async function endpointHolder(where: { hostname: string } | { tcpUrl: string }, now = new Date()): Promise<EndpointHolder | null> {
  const fresh = new Date(now.getTime() - SESSION_TIMEOUT_SECONDS * 1000);
  const rows =
    "hostname" in where
      ? await db().$queryRaw<{ endpoint_id: string; session_id: string; account_id: string; principal_id: string; instance_address: string }[]>`
          SELECT e.id AS endpoint_id, s.id AS session_id, s.account_id, s.principal_id, s.instance_address
          FROM tunnel_endpoints e JOIN tunnel_sessions s ON s.id = e.session_id
          WHERE e.hostname = ${where.hostname} AND e.ended_at IS NULL AND e.url NOT LIKE 'tcp://%'
            AND s.ended_at IS NULL AND s.instance_address IS NOT NULL AND s.last_heartbeat_at >= ${fresh}
          LIMIT 1`
      : await db().$queryRaw<{ endpoint_id: string; session_id: string; account_id: string; principal_id: string; instance_address: string }[]>`
          SELECT e.id AS endpoint_id, s.id AS session_id, s.account_id, s.principal_id, s.instance_address
          FROM tunnel_endpoints e JOIN tunnel_sessions s ON s.id = e.session_id
          WHERE e.url = ${where.tcpUrl} AND e.ended_at IS NULL
            AND s.ended_at IS NULL AND s.instance_address IS NOT NULL AND s.last_heartbeat_at >= ${fresh}
          LIMIT 1`;
  const row = rows[0];
  return row ? { endpointId: row.endpoint_id, sessionId: row.session_id, accountId: row.account_id, principalId: row.principal_id, instanceAddress: row.instance_address } : null;
}
