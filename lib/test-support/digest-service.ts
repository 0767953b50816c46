import { createHash } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface DigestService {
  server: http.Server;
  port: number;
  /** Bytes its sockets read and wrote (what went through the tunnel), and the connections open now. */
  seen: { read: number; written: number; open: number };
  close(): Promise<void>;
}

/**
 * An agent's local service for the traffic tests, on 127.0.0.1: answers every
 * request with `x-got: METHOD URL <body size> <body sha256>` and
 * `x-forwarded-for-seen`, and a body of `?n=` bytes of `fill` (else `hello
 * from <host>`); counts what its sockets carried, so a test can compare the
 * metered bytes with what really went through. Add an `upgrade` handler to
 * `server` for upgrades.
 */
export async function startDigestService(fill = 7): Promise<DigestService> {
  const seen = { read: 0, written: 0, open: 0 };
  const server = http.createServer((req, res) => {
    const hash = createHash("sha256");
    let size = 0;
    req.on("data", (c: Buffer) => {
      hash.update(c);
      size += c.length;
    });
    req.on("end", () => {
      const n = Number(new URL(req.url ?? "/", "http://x").searchParams.get("n") ?? 0);
      res.writeHead(200, { "x-got": `${req.method} ${req.url} ${size} ${hash.digest("hex")}`, "x-forwarded-for-seen": String(req.headers["x-forwarded-for"] ?? "") });
      res.end(n > 0 ? Buffer.alloc(n, fill) : `hello from ${req.headers.host}`);
    });
  });
  server.on("connection", (socket: Socket) => {
    seen.open += 1;
    socket.on("close", () => {
      seen.read += socket.bytesRead;
      seen.written += socket.bytesWritten;
      seen.open -= 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
