import { db } from "@/lib/db/client";
import { endSessions } from "./end-sessions";

/**
 * An instance starts at `instanceAddress`: the sessions still open there are
 * a previous life's (it died without ending them, e.g. SIGKILL), whose agents'
 * connections are gone. They are ended (`agent.session_ended`, reason
 * `server_stopped`, source system) in one transaction, so no instance forwards
 * to them and their hostnames can be bound again at once, rather than after
 * the heartbeat sweep's timeout. Returns the ids it ended.
 */
export async function endInstanceSessions(instanceAddress: string): Promise<string[]> {
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM tunnel_sessions WHERE ended_at IS NULL AND instance_address = ${instanceAddress} FOR UPDATE SKIP LOCKED`;
    return endSessions(tx, rows.map((r) => r.id), "server_stopped", { source: "system" });
  });
}
