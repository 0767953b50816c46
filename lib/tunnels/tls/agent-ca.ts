import { readEnv } from "@/lib/env";
import { readPublicPart } from "./server-keys";

/**
 * What agents must trust to connect, for `GET /agent-ca.pem` and the bot's
 * page: Botdesk's CA (public: a certificate, read without AUTH_SECRET), the
 * operator's certificate (agents trust it through the system's CAs), or
 * nothing yet (the CA is made when the agent listener first starts).
 */
export type AgentTrust = { kind: "ca"; pem: string } | { kind: "operator" } | { kind: "none" };

export async function agentTrust(): Promise<AgentTrust> {
  if (readEnv().BOTDESK_AGENT_TLS_CERT) return { kind: "operator" };
  const pem = await readPublicPart("agent-ca");
  return pem ? { kind: "ca", pem } : { kind: "none" };
}
