import type { MuxadoStream } from "./stream";

/** The largest JSON request this side reads from one RPC stream. */
export const MAX_RPC_BYTES = 64 * 1024;

export class RpcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RpcError";
  }
}

/**
 * Reads one JSON document from an RPC stream (after its type): ngrok's agents
 * write the request and wait for the answer without closing their side, so the
 * document ends where it parses (an object cannot parse before its last
 * byte). Rejects past `maxBytes`, on a stream that ends first, or after
 * `timeoutMs`.
 */
export function readJson(stream: MuxadoStream, opts: { maxBytes?: number; timeoutMs?: number } = {}): Promise<unknown> {
  const maxBytes = opts.maxBytes ?? MAX_RPC_BYTES;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (error: Error | null, value?: unknown) => {
      clearTimeout(timer);
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("close", onEnd);
      stream.off("error", onError);
      // Whatever the peer sends after its request (its FIN) is read and dropped, so the stream can close.
      stream.resume();
      if (error) reject(error);
      else resolve(value);
    };
    const tryParse = (): { value: unknown } | null => {
      const text = Buffer.concat(chunks).toString("utf8").trim();
      if (!text.endsWith("}")) return null;
      try {
        return { value: JSON.parse(text) as unknown };
      } catch {
        return null;
      }
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > maxBytes) return done(new RpcError(`an RPC request over ${maxBytes} bytes`));
      const parsed = tryParse();
      if (parsed) done(null, parsed.value);
    };
    const onEnd = () => {
      const parsed = tryParse();
      if (parsed) done(null, parsed.value);
      else done(new RpcError("the RPC request is not one JSON object"));
    };
    const onError = (error: Error) => done(error);
    const timer = setTimeout(() => done(new RpcError(`no RPC request within ${opts.timeoutMs ?? 10_000} ms`)), opts.timeoutMs ?? 10_000);
    stream.on("data", onData);
    stream.once("end", onEnd);
    stream.once("close", onEnd);
    stream.once("error", onError);
    // A stream whose type was read with readExactly() stays paused (it had a 'readable' listener): flow again.
    stream.resume();
  });
}

/** Writes one JSON answer and FIN (the peer reads to the end). */
export function answerJson(stream: MuxadoStream, answer: unknown): void {
  if (stream.destroyed || stream.writableEnded) return;
  stream.end(JSON.stringify(answer));
}

/**
 * A Proxy stream's header (server → agent): an int64 LITTLE-endian length,
 * then that many bytes of JSON `{Id, ClientAddr, Proto, EdgeType, PassthroughTLS}`
 * (ngrok-go `ReadProxyHeader`). The connection's raw bytes follow.
 */
export function proxyHeader(header: { Id: string; ClientAddr: string; Proto: string; EdgeType: string; PassthroughTLS: boolean }): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.allocUnsafe(8);
  length.writeBigInt64LE(BigInt(json.length), 0);
  return Buffer.concat([length, json]);
}
