import { CopyButton } from "@/components/copy-button";
import { Card } from "@/components/ui/card";
import { buttonClass } from "@/components/ui/button-styles";
import type { AgentTrust } from "@/lib/tunnels/tls/agent-ca";

// Code and the PEM keep their lines (a PEM's 64-character lines); what does not fit scrolls sideways inside the box.
const pre = "overflow-x-auto rounded-md bg-slate-900 p-3 text-xs leading-relaxed text-slate-100";

/**
 * What an agent must trust to connect to this server's agent listener, on a
 * bot's page near its credentials: Botdesk's CA (public) with a copy button
 * and the @ngrok/ngrok line that takes it, or, with an operator's
 * certificate, `root_cas: "host"`. Nothing when the listener is off and no CA
 * was ever made.
 */
export function AgentTrustPanel({ trust, agentPort }: { trust: AgentTrust; agentPort: number | "off" }) {
  if (trust.kind === "none" && agentPort === "off") return null;
  const serverAddr = `server_addr: "<host>:${agentPort === "off" ? 4443 : agentPort}",`;
  return (
    <Card aria-labelledby="agent-trust-heading" data-testid="agent-trust-panel" className="min-w-0">
      <h2 id="agent-trust-heading" className="text-base font-semibold text-slate-900">
        Connecting agents
      </h2>
      {trust.kind === "ca" && (
        <div className="mt-2 flex min-w-0 flex-col gap-3 text-sm text-slate-700">
          <p>
            Agents trust this CA: Botdesk&apos;s own certificate authority, made for this server (public; also at{" "}
            <a href="/agent-ca.pem" className="text-indigo-700 hover:underline">
              /agent-ca.pem
            </a>
            ). Give it to <code>@ngrok/ngrok</code> with the bot&apos;s authtoken:
          </p>
          <pre className={`${pre} whitespace-pre-wrap`} data-testid="agent-trust-example">
            <code>{`${serverAddr}\nsession_ca_cert: fs.readFileSync("botdesk-agent-ca.pem", "utf8"),`}</code>
          </pre>
          <div className="flex flex-wrap items-start gap-2">
            <CopyButton text={trust.pem} label="Copy CA" testId="copy-agent-ca" fallbackHint="open “Show the CA”, select it and press Ctrl+C (⌘C)." />
            <a href="/agent-ca.pem" download="botdesk-agent-ca.pem" className={buttonClass("ghost", "", "sm")}>
              Download
            </a>
          </div>
          <details className="min-w-0">
            <summary className="cursor-pointer text-sm text-indigo-700">Show the CA</summary>
            <pre className={`${pre} mt-2 whitespace-pre`} data-testid="agent-ca-pem" tabIndex={0}>
              {trust.pem}
            </pre>
          </details>
        </div>
      )}
      {trust.kind === "operator" && (
        <p className="mt-2 text-sm text-slate-700">
          This server uses its operator&apos;s certificate for agents: they trust it through the system&apos;s certificate authorities. With{" "}
          <code>@ngrok/ngrok</code>: <code className="break-all">{`${serverAddr} root_cas: "host",`}</code>
        </p>
      )}
      {trust.kind === "none" && <p className="mt-2 text-sm text-slate-700">The agent listener makes its CA when it first starts; it will show here.</p>}
    </Card>
  );
}
