import type { Prisma } from "@/lib/db/generated/client";
import { recordEvent, type EventSource } from "@/lib/domain/events/record-event";
import { sessionSubjectName } from "./session-view";

/** Why a session ended (agent.session_ended's `reason`). */
export type EndReason = "agent_closed" | "heartbeat_timeout" | "credential_refused" | "server_stopped" | "stopped";

interface EndedRow {
  id: string;
  account_id: string;
  principal_id: string;
  credential_id: string;
  credential_display: string;
  transport: string;
  os: string;
  arch: string;
  started_at: Date;
  bytes_in: bigint;
  bytes_out: bigint;
  requests: bigint;
}

/**
 * Ends the given sessions that are still open, in the caller's transaction:
 * sets ended_at and end_reason (only on rows still open, so two enders never
 * both record), ends their endpoints, and records one `agent.session_ended`
 * per session actually ended, attributed to the session's principal with its
 * credential. Returns the ids it ended.
 */
export async function endSessions(
  tx: Prisma.TransactionClient,
  ids: string[],
  reason: EndReason,
  opts: { source: EventSource; ip?: string | null; userAgent?: string | null; refusal?: string; now?: Date; stoppedBy?: { id: string; name: string } },
): Promise<string[]> {
  if (ids.length === 0) return [];
  const now = opts.now ?? new Date();
  const endReason = opts.refusal ? `${reason}:${opts.refusal}` : reason;
  const rows = await tx.$queryRaw<EndedRow[]>`
    UPDATE tunnel_sessions SET ended_at = ${now}, end_reason = ${endReason}
    WHERE id = ANY(${ids}::text[]) AND ended_at IS NULL
    RETURNING id, account_id, principal_id, credential_id, credential_display, transport, os, arch, started_at, bytes_in, bytes_out, requests`;
  if (rows.length === 0) return [];
  await tx.$executeRaw`UPDATE tunnel_endpoints SET ended_at = ${now} WHERE session_id = ANY(${rows.map((r) => r.id)}::text[]) AND ended_at IS NULL`;
  for (const row of rows) {
    await recordEvent(tx, {
      accountId: row.account_id,
      type: "agent.session_ended",
      principalId: row.principal_id,
      source: opts.source,
      subject: { id: row.id, name: sessionSubjectName(row) },
      credential: { id: row.credential_id, display: row.credential_display },
      ip: opts.ip ?? null,
      userAgent: opts.userAgent ?? null,
      data: {
        reason,
        ...(opts.refusal ? { refusal: opts.refusal } : {}),
        ...(opts.stoppedBy ? { stoppedBy: opts.stoppedBy } : {}),
        durationSeconds: Math.max(0, Math.round((now.getTime() - row.started_at.getTime()) / 1000)),
        bytesIn: Number(row.bytes_in),
        bytesOut: Number(row.bytes_out),
        requests: Number(row.requests),
      },
      createdAt: now,
      // Only an agent closing its own session is something its owner did.
      activity: reason === "agent_closed",
    });
  }
  return rows.map((r) => r.id);
}
