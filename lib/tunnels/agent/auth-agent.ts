import { authenticateCredential } from "@/lib/domain/access/authenticate-credential";
import type { CredentialActor, RequestContext } from "@/lib/domain/access/types";
import { UNKNOWN_PLATFORM } from "@/lib/domain/agent-sessions/session-view";
import { startSession, type StartedSession } from "@/lib/domain/agent-sessions/start-session";
import { SESSION_CLIENT_ID_MAX, SESSION_HOSTNAME_MAX, SESSION_USER_AGENT_MAX } from "@/lib/validation/agent-sessions";
import { agentErrorCode, agentText, AUTH_REFUSAL_CODES, authSchema, firstProblem, PROTOCOL_VERSIONS } from "./messages";

export type AgentAdmission =
  | {
      ok: true;
      actor: CredentialActor;
      /** Kept to check the credential again while the session lasts; never logged or sent. */
      secret: string;
      session: StartedSession;
      /** The AuthResp to send. */
      answer: unknown;
      /** The agent's own heartbeat interval and tolerance (nanoseconds; 0 when not said). */
      heartbeat: { intervalNs: number; toleranceNs: number };
    }
  | { ok: false; message: string; code?: string };

/**
 * An agent's Auth, in order: the message read (the token as ngrok-rust or
 * ngrok-go spells it), the one credential check (authenticateCredential:
 * refusals of a known token recorded, capped), then the session started with
 * what the agent said about itself (startSession, transport `ngrok/v2`, at
 * most `maxSessionsPerToken` open): version, OS, arch, metadata, hostname,
 * the client id it said (empty on a first connect; ngrok's server names the
 * session) and user agent, each cut to what the session keeps. `ctx.userAgent` becomes the agent's user
 * agent, so the session's events carry it.
 */
export async function authAgent(request: unknown, ctx: RequestContext, opts: { maxSessionsPerToken: number }): Promise<AgentAdmission> {
  const parsed = authSchema.safeParse(request);
  if (!parsed.success) return { ok: false, message: `Botdesk could not read the Auth message: ${firstProblem(parsed.error)}`, code: "ERR_NGROK_107" };
  const { Extra: extra, Version: versions } = parsed.data;
  ctx.userAgent = agentText(extra.UserAgent, SESSION_USER_AGENT_MAX) || null;
  const secret = extra.AuthToken ?? extra.Authtoken ?? "";
  const verified = await authenticateCredential({ secret, kinds: ["authtoken"] }, { source: "agent", path: "ngrok-agent", ctx });
  if (!verified.ok) return { ok: false, message: `authentication failed: ${verified.message}.`, code: AUTH_REFUSAL_CODES[verified.reason] };
  // An agent's version is its SDK's (`1.7.0`); its user agent names the SDK and its ngrok-rust or ngrok-go.
  const agentVersion = agentText(extra.Version, 64) || agentText(extra.UserAgent, 64) || "unknown";
  const started = await startSession(
    verified.actor,
    ctx,
    {
      agent_version: agentVersion,
      os: agentText(extra.OS, 32) || UNKNOWN_PLATFORM,
      arch: agentText(extra.Arch, 32) || UNKNOWN_PLATFORM,
      metadata: extra.Metadata,
      hostname: agentText(extra.Hostname, SESSION_HOSTNAME_MAX),
      client_id: agentText(parsed.data.ClientId, SESSION_CLIENT_ID_MAX),
      user_agent: ctx.userAgent ?? "",
    },
    { transport: "ngrok/v2", maxOpenPerCredential: opts.maxSessionsPerToken },
  );
  if (!started.ok) return { ok: false, message: `Botdesk could not start the session: ${started.message}`, code: agentErrorCode(started.code) };
  const answer = {
    Version: PROTOCOL_VERSIONS.find((v) => versions.includes(v)) ?? PROTOCOL_VERSIONS[0],
    // ngrok's server names the session; an agent reconnecting says its old id, and gets a new session.
    ClientId: started.data.id,
    Extra: { Version: "botdesk", Region: started.data.region, Cookie: "", AccountName: verified.actor.account.name, SessionDuration: 0, PlanName: "botdesk", Banner: "" },
  };
  return { ok: true, actor: verified.actor, secret, session: started.data, answer, heartbeat: { intervalNs: extra.HeartbeatInterval, toleranceNs: extra.HeartbeatTolerance } };
}
