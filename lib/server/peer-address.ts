import http from "node:http";

/**
 * The TCP peer's address, written onto every incoming request by a hook on
 * Node's HTTP server (installed from instrumentation.ts), overwriting whatever
 * the client sent under that name. Next.js itself only fills X-Forwarded-For
 * when the client sent none, so without this the socket's address is lost as
 * soon as a client sends its own X-Forwarded-For.
 */
export const PEER_ADDRESS_HEADER = "x-botdesk-peer-address";

const INSTALLED = Symbol.for("botdesk.peerAddressHeader");
type Flagged = typeof globalThis & { [INSTALLED]?: boolean };

export function peerAddressHeaderInstalled(): boolean {
  return (globalThis as Flagged)[INSTALLED] === true;
}

export function installPeerAddressHeader(): void {
  if (peerAddressHeaderInstalled()) return;
  const emit = http.Server.prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const request = args[0] as http.IncomingMessage;
      request.headers[PEER_ADDRESS_HEADER] = request.socket?.remoteAddress ?? "";
    }
    return emit.call(this, event, ...args);
  } as typeof http.Server.prototype.emit;
  (globalThis as Flagged)[INSTALLED] = true;
}
