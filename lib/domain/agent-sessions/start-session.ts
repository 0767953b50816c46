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
import { thisInstanceAddress } from "@/lib/server/instance-address";

export const REGION = "local";

export interface StartedSession {
  id: string;
  transport: string;
  agentVersion: string;
  os: string;
  arch: string;
  metadata: string;
  hostname: string | null;
  clientId: string | null;
  userAgent: string | null;
  region: string;
  ip: string | null;
  startedAt: Date;
  credential: { id: string; display: string };
  heartbeatIntervalSeconds: number;
  sessionTimeoutSeconds: number;
}

/**
 * Starts a tunnel session for the agent presenting `actor.credential` (an
 * authtoken; SSH passes transport "ssh"), keeping what the agent said about
 * itself (version, OS, arch, metadata, hostname, client id, user agent: each
 * bounded by startSessionSchema) and its IP. In one transaction: the session row,
 * one session of usage for the credential's owner, and `agent.session_started`
 * attributed to the owner with source "agent" and the credential.
 * `maxOpenPerCredential` (the agent listener: BOTDESK_AGENT_MAX_SESSIONS_PER_TOKEN)
 * refuses a session beyond that many open ones of the credential
 * (`too_many_sessions`), counted under the credential's row lock so two
 * instances starting sessions at once never both pass the cap. The session
 * records where it lives (`instanceAddress`, default this process's forwarder:
 * thisInstanceAddress()), so other instances forward its traffic here.
 */
export async function startSession(
  actor: Actor,
  ctx: RequestContext,
  input: unknown,
  opts: { transport?: "ngrok/v2" | "ssh"; now?: Date; maxOpenPerCredential?: number; instanceAddress?: string | null } = {},
): Promise<Result<StartedSession>> {
  if (!isAgentActor(actor)) return NO_CREDENTIAL();
  const parsed = startSessionSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the session's fields.", fieldErrorsOf(parsed.error));
  const { agent_version: agentVersion, os, arch, metadata, hostname, client_id: clientId, user_agent: userAgent } = parsed.data;
  const transport = opts.transport ?? parsed.data.transport;
  const now = opts.now ?? new Date();
  const id = newId("tunnelSession", now.getTime());
  const started = await actorTransaction(actor, async (tx): Promise<Result<undefined>> => {
    if (opts.maxOpenPerCredential !== undefined) {
      await tx.$queryRaw`SELECT id FROM credentials WHERE id = ${actor.credential.id} FOR UPDATE`;
      const [open] = await tx.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM tunnel_sessions WHERE credential_id = ${actor.credential.id} AND ended_at IS NULL`;
      if ((open?.n ?? 0) >= opts.maxOpenPerCredential) {
        return fail("too_many_sessions", `This authtoken already has ${open!.n} open agent sessions, the most allowed (BOTDESK_AGENT_MAX_SESSIONS_PER_TOKEN): end one first.`);
      }
    }
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
        hostname,
        clientId,
        userAgent,
        region: REGION,
        startedAt: now,
        lastHeartbeatAt: now,
        instanceAddress: opts.instanceAddress === undefined ? thisInstanceAddress() : opts.instanceAddress,
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
    hostname,
    clientId,
    userAgent,
    region: REGION,
    ip: ctx.ip,
    startedAt: now,
    credential: actor.credential,
    heartbeatIntervalSeconds: HEARTBEAT_INTERVAL_SECONDS,
    sessionTimeoutSeconds: SESSION_TIMEOUT_SECONDS,
  });
}
