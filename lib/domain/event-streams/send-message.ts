import http from "node:http";
import https from "node:https";
import { Webhook } from "standardwebhooks";
import { resolveSafely } from "./safe-address";

/** One attempt's bounds: the whole request, and how much of the answer is read (the rest is discarded). */
export const SEND_TIMEOUT_MS = 10_000;
export const RESPONSE_MAX_BYTES = 16 * 1024;

// Connections are kept open between messages (a TLS handshake per message would bound throughput);
// a new connection still goes to the address checked for the request that opens it.
const agents = { "http:": new http.Agent({ keepAlive: true, maxSockets: 4, timeout: SEND_TIMEOUT_MS }), "https:": new https.Agent({ keepAlive: true, maxSockets: 4, timeout: SEND_TIMEOUT_MS }) };

export interface SendOutcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  latencyMs: number;
}

/** Standard Webhooks' headers for one message: the event id (the same on every attempt), the time, the signature. */
export function webhookHeaders(secret: string, messageId: string, body: string, at = new Date()): Record<string, string> {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(messageId, at, body),
  };
}

/**
 * POSTs one message: resolves the URL's host and checks every address
 * (safe-address.ts) at this very attempt, then connects to the checked address
 * (TLS still verifies the certificate for the URL's name). Redirects are not
 * followed (a 3xx is a failed attempt), the answer is read up to
 * RESPONSE_MAX_BYTES and the whole attempt is bounded by SEND_TIMEOUT_MS. Only
 * a 2xx delivers.
 */
export async function sendMessage(url: URL, headers: Record<string, string>, body: string): Promise<SendOutcome> {
  const started = performance.now();
  const outcome = (ok: boolean, status: number | null, error: string | null): SendOutcome => ({ ok, status, error, latencyMs: Math.round(performance.now() - started) });
  const resolved = await resolveSafely(url);
  if (!resolved.ok) return outcome(false, null, `refused: ${resolved.reason}`);
  const client = url.protocol === "https:" ? https : http;
  return new Promise<SendOutcome>((resolve) => {
    const request = client.request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "Botdesk-Event-Streams/1", ...headers, "content-length": Buffer.byteLength(body) },
        // Connect to the address just checked, never to a second lookup's answer.
        lookup: (_host, options, callback) => {
          if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: resolved.address, family: resolved.family }]);
          else callback(null, resolved.address, resolved.family);
        },
        timeout: SEND_TIMEOUT_MS,
        agent: agents[url.protocol as "http:" | "https:"],
      },
      (response) => {
        let read = 0;
        response.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > RESPONSE_MAX_BYTES) response.destroy();
        });
        const done = () => {
          const status = response.statusCode ?? null;
          const ok = status !== null && status >= 200 && status < 300;
          resolve(outcome(ok, status, ok ? null : status !== null && status >= 300 && status < 400 ? `redirect (${status}) not followed` : `HTTP ${status}`));
        };
        response.on("end", done);
        response.on("close", done);
      },
    );
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${SEND_TIMEOUT_MS} ms`)), SEND_TIMEOUT_MS);
    request.on("close", () => clearTimeout(deadline));
    request.on("timeout", () => request.destroy(new Error(`no answer within ${SEND_TIMEOUT_MS} ms`)));
    request.on("error", (error) => resolve(outcome(false, null, error.message.slice(0, 200))));
    request.end(body);
  });
}
