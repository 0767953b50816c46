import { CREDENTIAL_REFUSALS, type CredentialRefusalReason } from "@/lib/domain/credentials/verify-credential";

const REASONS: Record<string, string> = {
  stopped: "the tunnel session was stopped (through the API or the dashboard)",
  heartbeat_timeout: "the tunnel session missed its heartbeats",
  server_stopped: "the server is stopping",
  agent_closed: "the tunnel session was closed",
  credential_refused: "the credential was refused",
};

/**
 * What to tell an agent whose session ended, from tunnel_sessions.end_reason
 * (`credential_refused:revoked` → "the authtoken was refused (the credential
 * has been revoked)"), naming its credential as the agent knows it.
 */
export function describeEndReason(reason: string, credential = "credential"): string {
  const [head = "", refusal] = reason.split(":", 2);
  if (head === "credential_refused" && refusal) {
    const words = refusal === "credential_deleted" ? "the credential has been deleted" : CREDENTIAL_REFUSALS[refusal as CredentialRefusalReason];
    if (words) return `the ${credential} was refused (${words})`;
  }
  return REASONS[head] ?? "the tunnel session has ended";
}
