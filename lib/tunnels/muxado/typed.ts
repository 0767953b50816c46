import type { Readable } from "node:stream";
import type { MuxadoSession } from "./session";
import type { MuxadoStream } from "./stream";

/** The stream types of ngrok's agent protocol (ngrok-rust `proto.rs`): a typed stream's first 4 bytes, big-endian. */
export const StreamType = {
  AUTH: 0,
  BIND: 1,
  UNBIND: 2,
  PROXY: 3,
  RESTART: 4,
  STOP: 5,
  UPDATE: 6,
  BIND_LABELED: 7,
  SRV_INFO: 8,
  STOP_TUNNEL: 9,
  PATCH_TUNNEL_STATE: 10,
  HEARTBEAT: 0xffffffff,
} as const;

/**
 * Opens a stream and writes its type first. What the opener writes in the same turn of the event
 * loop (a proxy stream's header, then the request it carries) goes in the same DATA frame (corked
 * until then): one frame, one TLS record to open a proxied request, not three.
 */
export function openTypedStream(session: MuxadoSession, type: number): MuxadoStream {
  const stream = session.openStream();
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(type >>> 0, 0);
  stream.cork();
  stream.write(head);
  setImmediate(() => stream.uncork());
  return stream;
}

/**
 * Reads exactly `n` bytes from the start of `stream` (what follows stays
 * unread for the next reader), or rejects when the stream ends or fails first,
 * or after `timeoutMs`.
 */
export function readExactly(stream: Readable, n: number, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    const done = (error: Error | null, value?: Buffer) => {
      clearTimeout(timer);
      stream.off("readable", onReadable);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("close", onEnd);
      if (error) reject(error);
      else resolve(value!);
    };
    const onReadable = () => {
      let chunk: Buffer | null;
      while (have < n && (chunk = stream.read() as Buffer | null) !== null) {
        const need = n - have;
        if (chunk.length > need) {
          stream.unshift(chunk.subarray(need));
          chunk = chunk.subarray(0, need);
        }
        chunks.push(chunk);
        have += chunk.length;
      }
      if (have === n) done(null, Buffer.concat(chunks));
    };
    const onEnd = () => done(new Error(`the stream ended after ${have} of ${n} bytes`));
    const onError = (error: Error) => done(error);
    const timer = setTimeout(() => done(new Error(`no ${n} bytes within ${timeoutMs} ms`)), timeoutMs);
    stream.on("readable", onReadable);
    stream.once("end", onEnd);
    stream.once("close", onEnd);
    stream.once("error", onError);
    onReadable();
  });
}

/** The type of a stream the peer opened (its first 4 bytes). */
export async function readStreamType(stream: Readable, timeoutMs?: number): Promise<number> {
  return (await readExactly(stream, 4, timeoutMs)).readUInt32BE(0);
}

/**
 * Answers the peer's heartbeat stream: each 4-byte nonce is echoed back as it
 * arrives (ngrok-rust `heartbeat.rs`). `onBeat` hears each one (a sign of life).
 */
export function answerHeartbeat(stream: MuxadoStream, onBeat: () => void = () => {}): void {
  let pending: Buffer = Buffer.alloc(0);
  stream.on("data", (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    const whole = pending.length - (pending.length % 4);
    if (whole === 0) return;
    const nonces = pending.subarray(0, whole);
    pending = pending.subarray(whole);
    // Echoing waits for the socket like any write: a peer that never reads its echoes stops being read here.
    if (!stream.write(nonces)) {
      stream.pause();
      stream.once("drain", () => stream.resume());
    }
    onBeat();
  });
  stream.on("end", () => stream.end());
  // A stream read with readExactly() stays paused (it had a 'readable' listener): flow again.
  stream.resume();
}
