/**
 * The URL the ingress serves a hostname at, as a bind answers it: `http://name:8000`
 * (the ingress speaks HTTP on BOTDESK_INGRESS_PORT), `https://name` when an operator
 * gave it a certificate (BOTDESK_INGRESS_TLS_CERT / _KEY), a default port (80, 443)
 * left out. With the ingress off, `https://name`: nothing serves it here.
 */
export function ingressUrlFor(hostname: string, ingress: { port: number | "off"; tls: boolean }): string {
  if (ingress.port === "off") return `https://${hostname}`;
  const scheme = ingress.tls ? "https" : "http";
  const port = ingress.port === (ingress.tls ? 443 : 80) ? "" : `:${ingress.port}`;
  return `${scheme}://${hostname}${port}`;
}
