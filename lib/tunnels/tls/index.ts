/**
 * TLS for the listeners agents and visitors reach (docs/agents-tls.md):
 * - `agentTls()`: the agent listener's certificate (Botdesk's own CA, shared
 *   by every instance through the database and renewed in time, or an
 *   operator's pair), with `current()` / `onChange()` for
 *   `tls.Server.setSecureContext`, and the CA's PEM agents trust;
 * - `ingressTls()`: the ingress's operator pair for HTTPS, or null;
 * - `agentTrust()`: the public CA for `GET /agent-ca.pem` and the bot's page.
 * The SSH host key, shared the same way, is lib/ssh/host-key.ts.
 */
export { agentTls, createAgentTls, type AgentTls, type AgentTlsOptions } from "./agent-tls";
export { ingressTls } from "./ingress-tls";
export { agentTrust, type AgentTrust } from "./agent-ca";
export { PemPairError } from "./pem-pair";
export { ServerKeyUnreadableError } from "./seal";
export type { TlsSource } from "./tls-source";
