import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { recordUsage } from "@/lib/domain/usage/record-usage";
import { newId } from "@/lib/ids";
import { startSessionSchema } from "@/lib/validation/agent-sessions";
import { isAgentActor, NO_CREDENTIAL } from "./agent-actor";
import { HEARTBEAT_INTERVAL_SECONDS, SESSION_TIMEOUT_SECONDS } from "./limits";
import { sessionSubjectName } from "./session-view";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

export const REGION = "local";

export interface StartedSession {
  id: string;
  transport: string;
  agentVersion: string;
  os: string;
  arch: string;
  metadata: string;
  region: string;
  ip: string | null;
  startedAt: Date;
  credential: { id: string; display: string };
  heartbeatIntervalSeconds: number;
  sessionTimeoutSeconds: number;
}

/**
 * Starts a tunnel session for the agent presenting `actor.credential` (an
 * authtoken; SSH passes transport "ssh"). In one transaction: the session row,
 * one session of usage for the credential's owner, and `agent.session_started`
 * attributed to the owner with source "agent" and the credential.
 */
export async function startSession(
  actor: Actor,
  ctx: RequestContext,
  input: unknown,
  opts: { transport?: "ngrok/v2" | "ssh"; now?: Date } = {},
): Promise<Result<StartedSession>> {
  if (!isAgentActor(actor)) return NO_CREDENTIAL();
  const parsed = startSessionSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the session's fields.", fieldErrorsOf(parsed.error));
  const { agent_version: agentVersion, os, arch, metadata } = parsed.data;
  const transport = opts.transport ?? parsed.data.transport;
  const now = opts.now ?? new Date();
  const id = newId("tunnelSession", now.getTime());
  const started = await actorTransaction(actor, async (tx) => {
    await tx.tunnelSession.create({
      data: {
        id,
        accountId: actor.account.id,
        principalId: actor.principal.id,
        credentialId: actor.credential.id,
        credentialDisplay: actor.credential.display,
        transport,
        ip: ctx.ip,
        agentVersion,
        os,
        arch,
        metadata,
        region: REGION,
        startedAt: now,
        lastHeartbeatAt: now,
      },
    });
    await recordUsage(tx, { accountId: actor.account.id, principalId: actor.principal.id, day: now, sessions: 1 });
    await recordActorEvent(tx, actor, ctx, {
      type: "agent.session_started",
      subject: { id, name: sessionSubjectName({ transport, os, arch }) },
      data: { agentVersion, os, arch, region: REGION, transport },
    });
    return ok(undefined);
  });
  if (!started.ok) return started;
  return ok({
    id,
    transport,
    agentVersion,
    os,
    arch,
    metadata,
    region: REGION,
    ip: ctx.ip,
    startedAt: now,
    credential: actor.credential,
    heartbeatIntervalSeconds: HEARTBEAT_INTERVAL_SECONDS,
    sessionTimeoutSeconds: SESSION_TIMEOUT_SECONDS,
  });
}
