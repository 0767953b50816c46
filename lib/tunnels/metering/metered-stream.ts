import { Duplex } from "node:stream";

/**
 * Wraps a stream to an agent so every byte through it is counted: `in` for
 * bytes written to the agent (from the client), `out` for bytes read from it.
 * Backpressure passes through both ways. The agent's side closing before it
 * ended its output (the agent lost) destroys the wrapper with an error, which
 * is what makes the ingress answer 502.
 */
export function meteredStream(inner: Duplex, onBytes: (direction: "in" | "out", n: number) => void): Duplex {
  let innerEnded = false;
  const outer = new Duplex({
    write(chunk: Buffer, _encoding, callback) {
      onBytes("in", chunk.length);
      inner.write(chunk, callback);
    },
    final(callback) {
      inner.end();
      callback();
    },
    read() {
      inner.resume();
    },
    destroy(error, callback) {
      inner.destroy();
      callback(error);
    },
  });
  inner.on("data", (chunk: Buffer) => {
    onBytes("out", chunk.length);
    if (!outer.push(chunk)) inner.pause();
  });
  inner.on("end", () => {
    innerEnded = true;
    outer.push(null);
  });
  inner.on("error", (error: Error) => outer.destroy(error));
  inner.on("close", () => {
    if (!innerEnded && !outer.destroyed) outer.destroy(Object.assign(new Error("the agent closed the stream"), { code: "ECONNRESET" }));
  });
  return outer;
}
