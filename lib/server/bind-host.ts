import { isIP } from "node:net";

/**
 * The one address every listener binds to (the dashboard, the SSH server for
 * agents, later the agent listener and the ingress), and how the console says
 * where each is reachable. No imports beyond node: the launcher and the web
 * server's listeners both use it.
 */

/**
 * BOTDESK_HOST when set; else loopback (127.0.0.1) for the embedded demo, whose
 * people have a password only its console has shown; else (DATABASE_URL: a
 * deployment) undefined, which means every interface (Node's default, IPv6 and
 * IPv4 where the system has both).
 */
export function resolveBindHost(setting: string | undefined, usesDatabaseUrl: boolean): string | undefined {
  if (setting) return setting;
  return usesDatabaseUrl ? undefined : "127.0.0.1";
}

/** No host, `0.0.0.0` or `::`: every interface. */
export function isEveryInterface(host: string | undefined): boolean {
  return host === undefined || host === "0.0.0.0" || host === "::" || host === "[::]";
}

export function isLoopback(host: string | undefined): boolean {
  if (host === undefined) return false;
  const bare = host.replace(/^\[|\]$/g, "");
  return bare === "localhost" || bare === "::1" || (isIP(bare) === 4 && bare.startsWith("127."));
}

/** The host part of a URL that reaches a listener bound to `host` from this machine. */
export function urlHost(host: string | undefined): string {
  if (isEveryInterface(host) || isLoopback(host)) return "localhost";
  return isIP(host!) === 6 ? `[${host}]` : host!;
}

/** `(listening on 127.0.0.1 only; set BOTDESK_HOST=0.0.0.0 to open it to the network)`, and the like. */
export function reachability(host: string | undefined): string {
  if (host === undefined) return "(listening on every interface)";
  if (isEveryInterface(host)) return `(listening on every interface, ${host})`;
  if (isLoopback(host)) return `(listening on ${host} only; set BOTDESK_HOST=0.0.0.0 to open it to the network)`;
  return `(listening on ${host} only)`;
}

/** The dashboard's address as this machine reaches it: `http://localhost:3000`. */
export function dashboardUrl(host: string | undefined, port: number): string {
  return `http://${urlHost(host)}:${port}`;
}
