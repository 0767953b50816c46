import type { Actor, CredentialActor } from "@/lib/domain/access/types";
import type { Prisma } from "@/lib/db/generated/client";
import { fail, type Result } from "@/lib/domain/result";

/** An actor that presented a credential: every agent call has one. */
export type AgentActor = CredentialActor;

export function isAgentActor(actor: Actor): actor is AgentActor {
  return actor.credential !== null;
}

export const NO_CREDENTIAL = () => fail("no_credential", "Tunnel sessions are started by agents with an authtoken.");

export interface OpenSessionRow {
  id: string;
  account_id: string;
  principal_id: string;
  credential_id: string;
  transport: string;
  os: string;
  arch: string;
  ended_at: Date | null;
  end_reason: string | null;
}

/**
 * The session `id` of the actor's credential, locked for this transaction:
 * `session_not_found` when there is none (another credential's sessions,
 * another account's, unknown ids all look alike), `session_ended` (with why)
 * when it is over. A session is driven only by the credential that started it.
 */
export async function lockOwnSession(tx: Prisma.TransactionClient, actor: AgentActor, id: string): Promise<Result<OpenSessionRow>> {
  const [row] = await tx.$queryRaw<OpenSessionRow[]>`
    SELECT id, account_id, principal_id, credential_id, transport, os, arch, ended_at, end_reason
    FROM tunnel_sessions
    WHERE id = ${id} AND account_id = ${actor.account.id} AND credential_id = ${actor.credential.id}
    FOR UPDATE`;
  if (!row) return fail("session_not_found", `No tunnel session ${id.slice(0, 64)} for this authtoken.`);
  if (row.ended_at) return fail("session_ended", `The tunnel session has ended (${row.end_reason ?? "ended"}): start a new one.`);
  return { ok: true, data: row };
}
