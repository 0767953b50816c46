import type { Actor } from "../domain/access/types";
import { bindEndpoint } from "../domain/agent-sessions/bind-endpoint";
import { startSession } from "../domain/agent-sessions/start-session";
import { createCredential } from "../domain/credentials/create-credential";
import { createTestBot } from "./factories";

const CTX = { ip: "203.0.113.7", userAgent: "ngrok/3.18.4" };

export interface TestAgent {
  actor: Actor;
  sessionId: string;
}

/**
 * A new bot of the admin's account with an authtoken (ACL `acl`, none by default)
 * and an open agent session: the actor an agent presenting that authtoken is, as
 * authenticateCredential builds it.
 */
export async function agentOf(admin: Actor, acl: string[] = []): Promise<TestAgent> {
  const bot = await createTestBot(admin.account.id);
  const created = await createCredential(admin, { kind: "authtoken", ownerId: bot.id, acl }, { ip: null, userAgent: null });
  if (!created.ok) throw new Error(created.message);
  const actor: Actor = {
    ...admin,
    principal: { id: bot.id, name: bot.name, kind: "bot" },
    role: "member",
    source: "agent",
    credential: { id: created.data.credential.id, display: created.data.credential.display },
  };
  const started = await startSession(actor, CTX, { agent_version: "3.18.4", os: "linux", arch: "amd64" });
  if (!started.ok) throw new Error(started.message);
  return { actor, sessionId: started.data.id };
}

/** Binds `https://<hostname>` (or the URL given) in the agent's session, as an agent would. */
export function bindAs(agent: TestAgent, hostname: string, opts: { assigned?: boolean; url?: string } = {}) {
  return bindEndpoint(agent.actor, CTX, agent.sessionId, opts.url ? { url: opts.url } : { hostname }, { assignedHostname: opts.assigned });
}
