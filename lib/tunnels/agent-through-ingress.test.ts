import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { startDigestService, type DigestService } from "@/lib/test-support/digest-service";
import { botWithToken, NO_CTX, sdkSession, TCP_PORTS, until, withAgentListener } from "@/lib/test-support/ngrok-agents";
import { createIngressServer, type IngressServer } from "@/lib/tunnels/ingress/ingress-server";
import { startTcpIngress, type TcpIngress } from "@/lib/tunnels/ingress/tcp-ingress";
import { trafficMeter } from "@/lib/tunnels/metering/traffic-meter";

// The whole path with real parts: ngrok's own agent SDK (@ngrok/ngrok 1.7.0) connected to the agent
// listener with a bot's authtoken, a client's request arriving at the ingress, carried through a
// Proxy stream to the SDK and on to the agent's local service, and what was carried metered.
const h = withAgentListener();
let ingress: IngressServer;
let ingressPort = 0;
let tcpIngress: TcpIngress;
let local: DigestService;
let localPort = 0;
/** Bytes the local service's sockets read and wrote: what went through the tunnel. */
let seen: DigestService["seen"];

beforeAll(async () => {
  ingress = createIngressServer();
  await new Promise<void>((resolve) => ingress.listen(0, "127.0.0.1", resolve));
  ingressPort = (ingress.address() as AddressInfo).port;
  tcpIngress = await startTcpIngress({ ports: TCP_PORTS, host: "127.0.0.1" });
  local = await startDigestService();
  localPort = local.port;
  seen = local.seen;
});
afterAll(async () => {
  await ingress?.stop();
  await tcpIngress?.stop();
  await local?.close();
});

/** One request to the ingress for `host` (Node does not resolve *.localhost names: by address, with a Host header). */
function viaIngress(host: string, path: string, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: ingressPort, path, method: body ? "POST" : "GET", headers: { host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("ngrok's agent SDK through the ingress", () => {
  it("carries GET, POST and 50 concurrent requests to the local service byte-exact, and meters exactly what it carried", async () => {
    const { account, bot, token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    try {
      const tunnel = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${localPort}`);
      const host = new URL(tunnel.url()!).hostname;
      const sessionRow = await db().tunnelSession.findFirstOrThrow({ where: { accountId: account.id, endedAt: null } });

      const get = await viaIngress(host, "/hi");
      expect(get.status).toBe(200);
      expect(get.body.toString()).toBe(`hello from ${host}`);
      expect(get.headers["x-forwarded-for-seen"]).toBe("127.0.0.1");

      const upload = randomBytes(3 * 1024 * 1024);
      const post = await viaIngress(host, "/upload?n=2000000", upload);
      expect(post.headers["x-got"]).toBe(`POST /upload?n=2000000 ${upload.length} ${createHash("sha256").update(upload).digest("hex")}`);
      expect(post.body.equals(Buffer.alloc(2_000_000, 7))).toBe(true);

      const many = await Promise.all(Array.from({ length: 50 }, (_, i) => viaIngress(host, `/many/${i}`)));
      expect(many.map((r) => r.headers["x-got"])).toEqual(Array.from({ length: 50 }, (_, i) => `GET /many/${i} 0 ${createHash("sha256").digest("hex")}`));

      await until(async () => seen.open, (open) => open === 0);
      await trafficMeter().flush(sessionRow.id);
      const metered = await db().tunnelSession.findUniqueOrThrow({ where: { id: sessionRow.id } });
      expect({ bytesIn: metered.bytesIn, bytesOut: metered.bytesOut, requests: metered.requests }).toEqual({ bytesIn: BigInt(seen.read), bytesOut: BigInt(seen.written), requests: 52n });
      const [usage] = await db().usageDaily.findMany({ where: { accountId: account.id, principalId: bot.id } });
      expect(usage).toMatchObject({ bytesIn: metered.bytesIn, bytesOut: metered.bytesOut, tunnelRequests: 52n });
      await tunnel.close();
    } finally {
      await session.close();
    }
  });

  it("carries a TCP endpoint's bytes both ways, and deactivating the bot takes its endpoint offline (ERR_NGROK_3200)", async () => {
    const echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const { admin, bot, token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    try {
      const tcp = await session.tcpEndpoint().listenAndForward(`tcp://127.0.0.1:${(echo.address() as AddressInfo).port}`);
      const port = Number(new URL(tcp.url()!).port);
      expect(port).toBeGreaterThanOrEqual(TCP_PORTS.from);
      const payload = randomBytes(1024 * 1024);
      const back = await new Promise<Buffer>((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1", () => socket.write(payload));
        const chunks: Buffer[] = [];
        let got = 0;
        socket.on("data", (c: Buffer) => {
          chunks.push(c);
          got += c.length;
          if (got >= payload.length) {
            socket.end();
            resolve(Buffer.concat(chunks));
          }
        });
        socket.on("error", reject);
      });
      expect(back.equals(payload)).toBe(true);
      // A TCP endpoint's usage is exactly the bytes carried: no headers are added either way.
      const tcpSession = await db().tunnelSession.findFirstOrThrow({ where: { principalId: bot.id, endedAt: null } });
      await until(async () => trafficMeter().unwritten(tcpSession.id)?.bytesOut ?? 0, (n) => n >= payload.length);
      await trafficMeter().flush(tcpSession.id);
      const tcpMetered = await db().tunnelSession.findUniqueOrThrow({ where: { id: tcpSession.id } });
      expect({ bytesIn: tcpMetered.bytesIn, bytesOut: tcpMetered.bytesOut }).toEqual({ bytesIn: BigInt(payload.length), bytesOut: BigInt(payload.length) });

      const web = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${localPort}`);
      const host = new URL(web.url()!).hostname;
      expect((await viaIngress(host, "/before")).status).toBe(200);
      const done = await setBotsActive(admin, { ids: [bot.id], active: false }, NO_CTX);
      expect(done.ok).toBe(true);
      // The listener's credential re-check (300 ms in tests) ends the session and its endpoints.
      const offline = await until(() => viaIngress(host, "/after"), (r) => r.status === 404, 5000);
      expect(offline.status).toBe(404);
      expect(offline.body.toString()).toContain("ERR_NGROK_3200");
    } finally {
      await session.close().catch(() => {});
      echo.close();
    }
  });

  it("carries a WebSocket: the upgrade reaches the local service, and frames flow both ways after the 101", async () => {
    const { token } = await botWithToken();
    const ws = http.createServer();
    ws.on("upgrade", (req, socket: net.Socket) => {
      // A WebSocket server's handshake (RFC 6455's accept key), then it echoes what it reads.
      const accept = createHash("sha1").update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => ws.listen(0, "127.0.0.1", resolve));
    const session = await sdkSession(h, token).connect();
    try {
      const tunnel = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${(ws.address() as AddressInfo).port}`);
      const host = new URL(tunnel.url()!).hostname;
      const key = randomBytes(16).toString("base64");
      const socket = net.connect(ingressPort, "127.0.0.1");
      const received: Buffer[] = [];
      socket.on("data", (c: Buffer) => received.push(c));
      socket.write(`GET /socket HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      const head = await until(async () => Buffer.concat(received).toString("latin1"), (t) => t.includes("\r\n\r\n"));
      expect(head).toMatch(/^HTTP\/1\.1 101 /);
      expect(head).toContain(`Sec-WebSocket-Accept: ${createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64")}`);
      const afterHead = Buffer.concat(received).length;
      // A masked text frame "hello over ws" (client → server), echoed back as it was sent.
      const text = Buffer.from("hello over ws");
      const mask = randomBytes(4);
      const frame = Buffer.concat([Buffer.from([0x81, 0x80 | text.length]), mask, Buffer.from(text.map((b, i) => b ^ mask[i % 4]!))]);
      socket.write(frame);
      const echoed = await until(async () => Buffer.concat(received).subarray(afterHead), (b) => b.length >= frame.length);
      expect(echoed.equals(frame)).toBe(true);
      socket.destroy();
      await tunnel.close();
    } finally {
      await session.close().catch(() => {});
      ws.close();
    }
  });

  it("a large answer arrives whole after many small ones on the same keep-alive connections", async () => {
    // Caught with the real SDK: a window increment of 0 (sent to hurry the agent's ACK) made it reset
    // long transfers, which the client saw as a cut download (ECONNRESET), one in three or so.
    const { token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    try {
      const tunnel = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${localPort}`);
      const host = new URL(tunnel.url()!).hostname;
      const get = (pathname: string) =>
        new Promise<number>((resolve, reject) => {
          const req = http.request({ host: "127.0.0.1", port: ingressPort, path: pathname, headers: { host }, agent }, (res) => {
            let n = 0;
            res.on("data", (c: Buffer) => (n += c.length));
            res.on("end", () => resolve(n));
            res.on("error", reject);
          });
          req.on("error", reject);
          req.end();
        });
      const sizes: number[] = [];
      for (let round = 0; round < 4; round++) {
        let next = 0;
        await Promise.all(Array.from({ length: 10 }, async () => {
          while (next++ < 300) await get(`/small/${next}`);
        }));
        sizes.push(await get("/big?n=20000000").catch(() => -1));
      }
      expect(sizes).toEqual([20_000_000, 20_000_000, 20_000_000, 20_000_000]);
      await tunnel.close();
    } finally {
      agent.destroy();
      await session.close().catch(() => {});
    }
  });
});
