import net from "node:net";
import type { Duplex } from "node:stream";
import { encodeHeader, MAGIC, NONCE_BYTES, STATUS, type ForwardHeader } from "./protocol";

/** How long the holder has to accept, send its nonce and answer the header (a dead or stuck instance). */
export const FORWARD_OPEN_TIMEOUT_MS = 3_000;

/**
 * The endpoint is not served where the database said: its instance is gone
 * (nothing accepts at its address, or it does not answer in time) or no
 * longer holds it. The ingress answers ERR_NGROK_3200, as for any endpoint
 * that is offline.
 */
export class ForwardedEndpointOffline extends Error {
  readonly offline = true;
}

/** `host:port` or `[v6]:port` → its parts (null when it is neither). */
export function parseInstanceAddress(address: string): { host: string; port: number } | null {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(address) ?? /^([^:[\]\s]+):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  return m && port >= 1 && port <= 65535 ? { host: m[1]!, port } : null;
}

/**
 * Opens a forwarded stream to the endpoint `header` names on the instance at
 * `address` (protocol.ts): connect, answer the holder's nonce with the header
 * and its MAC, wait for its status. Resolves with the connection, whose bytes
 * are then the agent's stream's; rejects with ForwardedEndpointOffline when the
 * holder is unreachable or no longer holds the endpoint, with another error
 * when it refused the MAC or its agent could not open a stream (502).
 */
export function openForwarded(address: string, key: Buffer, header: ForwardHeader, timeoutMs = FORWARD_OPEN_TIMEOUT_MS): Promise<Duplex> {
  const target = parseInstanceAddress(address);
  if (!target) return Promise.reject(new ForwardedEndpointOffline(`instance address ${JSON.stringify(address)} is not host:port`));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port, noDelay: true });
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new ForwardedEndpointOffline(`the instance at ${address} did not answer within ${timeoutMs} ms`)), timeoutMs);
    const onError = (error: Error) => fail(new ForwardedEndpointOffline(`the instance at ${address} is unreachable: ${error.message}`));
    const onClose = () => fail(new ForwardedEndpointOffline(`the instance at ${address} closed the connection`));
    socket.on("error", onError);
    socket.on("close", onClose);
    let buffered = Buffer.alloc(0);
    let sent = false;
    // Read with 'readable' (not 'data'): once it is removed the socket is neither flowing nor paused, so
    // whoever takes it (node's HTTP client, a pipe) starts its flow by listening, and no byte is dropped.
    const onReadable = () => {
      for (let chunk = socket.read() as Buffer | null; chunk !== null && !settled; chunk = socket.read() as Buffer | null) take(chunk);
    };
    const take = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!sent) {
        if (buffered.length < MAGIC.length + NONCE_BYTES) return;
        if (!buffered.subarray(0, MAGIC.length).equals(MAGIC)) return fail(new Error(`the instance at ${address} does not speak the forwarding protocol`));
        socket.write(encodeHeader(key, buffered.subarray(MAGIC.length, MAGIC.length + NONCE_BYTES), header));
        sent = true;
        buffered = buffered.subarray(MAGIC.length + NONCE_BYTES);
      }
      if (buffered.length < 1) return;
      const status = buffered[0];
      if (status === STATUS.notHere) return fail(new ForwardedEndpointOffline(`the instance at ${address} no longer serves ${header.endpointId}`));
      if (status === STATUS.refused) return fail(new Error(`the instance at ${address} refused this instance's MAC: start every instance with the same AUTH_SECRET`));
      if (status !== STATUS.ok) return fail(new Error(`the instance at ${address} could not reach the agent`));
      settled = true;
      clearTimeout(timer);
      socket.off("readable", onReadable);
      socket.off("error", onError);
      socket.off("close", onClose);
      if (buffered.length > 1) socket.unshift(buffered.subarray(1));
      resolve(socket);
    };
    socket.on("readable", onReadable);
  });
}
