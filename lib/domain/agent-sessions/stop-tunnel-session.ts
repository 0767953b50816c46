import { z } from "zod";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { mayStopSessionOf } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { idSchema } from "@/lib/validation/common";
import { endSessions } from "./end-sessions";

const stopTunnelSessionSchema = z.strictObject({ id: idSchema });

/**
 * Stops a tunnel session (ngrok's `POST /tunnel_sessions/{id}/stop`, the Stop
 * button on a bot's Sessions panel): recorded as ended at once
 * (`agent.session_ended`, reason `stopped`, with who stopped it), in the
 * actor's transaction; on commit the database notifies every instance and the
 * one holding the session closes it (lib/tunnels/control). The credential is
 * untouched: an agent whose credential is still good may connect again, as a
 * new session (as with ngrok). Owners and admins stop any of the account's
 * sessions; others only their own (mayStopSessionOf); anything else is
 * `not_found`, like an unknown id. A session already ended is left as it is.
 */
export async function stopTunnelSession(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<{ id: string; stopped: boolean }>> {
  const parsed = stopTunnelSessionSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Not a valid tunnel session id.", fieldErrorsOf(parsed.error));
  const { id } = parsed.data;
  return actorTransaction(actor, async (tx) => {
    const [row] = await tx.$queryRaw<{ principal_id: string; ended_at: Date | null }[]>`
      SELECT principal_id, ended_at FROM tunnel_sessions WHERE id = ${id} AND account_id = ${actor.account.id} FOR UPDATE`;
    if (!row || !mayStopSessionOf(actor, row.principal_id)) return fail("not_found", "Tunnel session not found.");
    if (row.ended_at) return ok({ id, stopped: false });
    const ended = await endSessions(tx, [id], "stopped", {
      source: actor.source,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      stoppedBy: { id: actor.principal.id, name: actor.principal.name },
    });
    return ok({ id, stopped: ended.length > 0 });
  });
}
