import { agentTrust } from "@/lib/tunnels/tls/agent-ca";

export const dynamic = "force-dynamic";

/**
 * The CA agents trust to connect to the agent listener (Botdesk's own, made on
 * first start): public, no session needed, e.g.
 * `curl -o botdesk-ca.pem http://botdesk.example.com/agent-ca.pem`, then
 * `session_ca_cert` in @ngrok/ngrok. Cacheable for five minutes: the CA lasts
 * 10 years and renewals of the server certificate keep it. With an operator's
 * certificate there is no Botdesk CA: 404 saying what agents use instead.
 */
export async function GET(): Promise<Response> {
  const trust = await agentTrust();
  if (trust.kind === "ca") {
    return new Response(trust.pem, {
      headers: {
        "Content-Type": "application/x-pem-file",
        "Content-Disposition": 'inline; filename="botdesk-agent-ca.pem"',
        "Cache-Control": "public, max-age=300",
      },
    });
  }
  const text =
    trust.kind === "operator"
      ? 'This server uses the operator\'s certificate for agents (BOTDESK_AGENT_TLS_CERT), not a Botdesk CA: agents trust it through the system\'s certificate authorities (@ngrok/ngrok: root_cas: "host").\n'
      : "Botdesk's CA for agents has not been made yet: the agent listener makes it when it first starts (BOTDESK_AGENT_PORT).\n";
  return new Response(text, { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}
