import { db } from "@/lib/db/client";
import type { RequestContext } from "@/lib/domain/access/types";
import { endSessions } from "./end-sessions";

/**
 * A listener is stopping (the SSH server, the agent listener): it ends the
 * sessions it carries (`agent.session_ended`, reason `server_stopped`, source
 * system: nobody's action) in one transaction, before closing their
 * connections. Returns the ids it ended (those still open).
 */
export async function stopSessions(sessionIds: string[], ctx: RequestContext): Promise<string[]> {
  if (sessionIds.length === 0) return [];
  return db().$transaction((tx) => endSessions(tx, sessionIds, "server_stopped", { source: "system", ip: ctx.ip, userAgent: ctx.userAgent }));
}
