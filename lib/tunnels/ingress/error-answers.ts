/**
 * The ingress's own answers, in ngrok's shape: a short HTML page naming the
 * `ERR_NGROK_<n>` code, and the code in an `ngrok-error-code` header for
 * clients that read no HTML.
 */
export interface IngressAnswer {
  status: number;
  code: string;
  headers: Record<string, string>;
  body: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function answer(status: number, code: string, title: string, text: string): IngressAnswer {
  const body = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p><p><code>${code}</code></p></body></html>
`;
  return {
    status,
    code,
    headers: { "content-type": "text/html; charset=utf-8", "content-length": String(Buffer.byteLength(body)), "ngrok-error-code": code, "cache-control": "no-store" },
    body,
  };
}

/** No endpoint serves this host here (none bound, or its agent went): ngrok's ERR_NGROK_3200, 404. */
export function endpointOffline(host: string): IngressAnswer {
  // The host is the client's own input: shown escaped, and cut short.
  const shown = host.slice(0, 253) || "(no host)";
  return answer(404, "ERR_NGROK_3200", "The endpoint is offline.", `The endpoint ${shown} is offline: no agent is serving it now.`);
}

/** The agent could not be reached, or went away before it answered: 502. */
export function agentUnreachable(): IngressAnswer {
  return answer(502, "ERR_NGROK_3004", "Bad gateway.", "The agent serving this endpoint went away before it answered the request.");
}

/** The answer as raw HTTP/1.1 bytes, for a connection no longer in node's HTTP server (an upgrade). */
export function rawAnswer(a: IngressAnswer): string {
  const lines = Object.entries(a.headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  return `HTTP/1.1 ${a.status} ${a.status === 404 ? "Not Found" : "Bad Gateway"}\r\n${lines}connection: close\r\n\r\n${a.body}`;
}
