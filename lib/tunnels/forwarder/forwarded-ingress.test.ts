import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { setThisInstanceAddress } from "@/lib/server/instance-address";
import { startDigestService, type DigestService } from "@/lib/test-support/digest-service";
import { botWithToken, DOMAIN, sdkSession, until, withAgentListener } from "@/lib/test-support/ngrok-agents";
import { createIngressServer, type IngressServer } from "@/lib/tunnels/ingress/ingress-server";
import { startTcpIngress } from "@/lib/tunnels/ingress/tcp-ingress";
import { TrafficMeter, trafficMeter } from "@/lib/tunnels/metering/traffic-meter";
import { createForwardListener, type ForwardListener } from "./forward-listener";
import { forwardingKey } from "./protocol";
import { remoteLookup } from "./remote-endpoints";

// Two "instances" in one process, with real parts: ngrok's agent SDK connected to the agent listener
// ("instance A", whose sessions record A's forwarder address), and an ingress ("instance B") that serves
// no endpoint of its own (its local lookup finds nothing) and finds A's through the real database.
const h = withAgentListener();
const KEY = forwardingKey("one-auth-secret-for-both");
let forwarderA: ForwardListener;
let addressA = "";
let ingressB: IngressServer;
const lookupB = () => remoteLookup({ key: KEY, self: "127.0.0.1:1", domain: DOMAIN });
let portB = 0;
const meterB = new TrafficMeter(async () => {
  throw new Error("instance B must meter nothing of forwarded traffic");
});
let local: http.Server;
let localPort = 0;
let seen: DigestService["seen"];
const upgraded = new Set<net.Socket>();

beforeAll(async () => {
  forwarderA = createForwardListener({ key: KEY });
  await new Promise<void>((resolve) => forwarderA.listen(0, "127.0.0.1", resolve));
  addressA = `127.0.0.1:${(forwarderA.address() as AddressInfo).port}`;
  setThisInstanceAddress(addressA);
  ingressB = createIngressServer({ lookup: () => undefined, meter: meterB, remote: lookupB().forHost });
  await new Promise<void>((resolve) => ingressB.listen(0, "127.0.0.1", resolve));
  portB = (ingressB.address() as AddressInfo).port;
  const service = await startDigestService();
  local = service.server;
  localPort = service.port;
  seen = service.seen;
  // An upgrade: 101, then every byte echoed back upper-cased (a stand-in for a WebSocket).
  local.on("upgrade", (req: http.IncomingMessage, socket: net.Socket) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: shout\r\nx-upgraded-for: ${String(req.headers["x-forwarded-for"] ?? "")}\r\n\r\n`);
    socket.on("data", (c: Buffer) => socket.write(c.toString("latin1").toUpperCase()));
    // The client's end, passed on through B and A, ends it (an upgraded socket is the service's to close).
    socket.on("end", () => socket.end());
    upgraded.add(socket);
    socket.on("close", () => upgraded.delete(socket));
  });
});
afterAll(async () => {
  setThisInstanceAddress(null);
  await ingressB?.stop();
  await forwarderA?.stop();
  local?.closeAllConnections();
  await new Promise((resolve) => local?.close(resolve));
});

function viaB(host: string, path: string, opts: { body?: Buffer; agent?: http.Agent } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: portB, path, method: opts.body ? "POST" : "GET", headers: { host }, agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

describe("a request arriving at the instance that does not hold the agent", () => {
  it("a TCP connection to the endpoint's port on B (another machine, same range) is carried through A, byte-exact both ways, metered at A", async () => {
    const echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const { account, token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    // B's TCP ingress on 127.0.0.2 (so it never meets another test file's on 127.0.0.1), serving no endpoint of its own.
    let tcpB: Awaited<ReturnType<typeof startTcpIngress>> | undefined;
    try {
      const tcp = await session.tcpEndpoint().listenAndForward(`tcp://127.0.0.1:${(echo.address() as AddressInfo).port}`);
      const port = Number(new URL(tcp.url()!).port);
      tcpB = await startTcpIngress({ ports: { from: port, to: port }, host: "127.0.0.2", lookup: () => undefined, remote: lookupB().forPort, meter: meterB });
      expect(tcpB.ports).toEqual([port]);
      const payload = randomBytes(2 * 1024 * 1024 + 5);
      const back = await new Promise<Buffer>((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.2", () => socket.write(payload));
        const chunks: Buffer[] = [];
        let got = 0;
        socket.on("data", (c: Buffer) => {
          chunks.push(c);
          got += c.length;
          if (got >= payload.length) socket.end();
        });
        socket.on("close", () => resolve(Buffer.concat(chunks)));
        socket.on("error", reject);
      });
      expect(back.equals(payload)).toBe(true);
      const row = await db().tunnelSession.findFirstOrThrow({ where: { accountId: account.id, endedAt: null } });
      const metered = await until(
        async () => {
          await trafficMeter().flush(row.id);
          return db().tunnelSession.findUniqueOrThrow({ where: { id: row.id } });
        },
        (r) => r.bytesIn === BigInt(payload.length) && r.bytesOut === BigInt(payload.length),
      );
      expect({ bytesIn: metered.bytesIn, bytesOut: metered.bytesOut }).toEqual({ bytesIn: BigInt(payload.length), bytesOut: BigInt(payload.length) });
      await meterB.flush();
      expect(meterB.unwritten(row.id)).toBeUndefined();
      await tcp.close();
    } finally {
      await tcpB?.stop();
      await session.close();
      echo.close();
    }
  });

  it("an upgrade (a WebSocket) reaching B is switched at A's agent and then piped raw both ways", async () => {
    const { token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    try {
      const tunnel = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${localPort}`);
      const host = new URL(tunnel.url()!).hostname;
      const said = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(portB, "127.0.0.1", () => socket.write(`GET /ws HTTP/1.1\r\nhost: ${host}\r\nconnection: upgrade\r\nupgrade: shout\r\n\r\n`));
        let got = "";
        socket.on("data", (c: Buffer) => {
          got += c.toString("latin1");
          if (got.includes("\r\n\r\n") && !got.includes("hello")) socket.write("hello through b");
          if (got.endsWith("HELLO THROUGH B")) {
            socket.end();
            resolve(got);
          }
        });
        socket.on("error", reject);
      });
      expect(said).toMatch(/^HTTP\/1\.1 101 /);
      expect(said).toMatch(/x-upgraded-for: 127\.0\.0\.1\r\n/);
      expect(said.endsWith("\r\n\r\nHELLO THROUGH B")).toBe(true);
      // The client's end reached the service through both instances: its socket closes.
      expect(await until(async () => upgraded.size, (n) => n === 0)).toBe(0);
      await tunnel.close();
    } finally {
      await session.close();
    }
  });

  it("is forwarded to the holder: GET and a large POST byte-exact, the client's address kept, routed per request, metered once where the agent is", async () => {
    // Only this test's connections to the local service count.
    await until(async () => seen.open, (open) => open === 0);
    Object.assign(seen, { read: 0, written: 0 });
    const { account, bot, token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    try {
      const tunnel = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${localPort}`);
      const host = new URL(tunnel.url()!).hostname;
      const row = await db().tunnelSession.findFirstOrThrow({ where: { accountId: account.id, endedAt: null } });
      expect(row.instanceAddress).toBe(addressA);

      const get = await viaB(host, "/hi");
      expect(get.status).toBe(200);
      expect(get.body.toString()).toBe(`hello from ${host}`);
      expect(get.headers["x-forwarded-for-seen"]).toBe("127.0.0.1");

      const upload = randomBytes(4 * 1024 * 1024 + 3);
      const post = await viaB(host, "/upload?n=3000000", { body: upload });
      expect(post.headers["x-got"]).toBe(`POST /upload?n=3000000 ${upload.length} ${createHash("sha256").update(upload).digest("hex")}`);
      expect(post.body.equals(Buffer.alloc(3_000_000, 7))).toBe(true);

      // One keep-alive connection naming the forwarded host, then one nobody serves, then the first again.
      const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const sequence = [await viaB(host, "/k1", { agent: keepAlive }), await viaB(`nobody.${DOMAIN}`, "/k2", { agent: keepAlive }), await viaB(host, "/k3", { agent: keepAlive })];
      keepAlive.destroy();
      expect(sequence.map((r) => [r.status, r.headers["ngrok-error-code"] ?? r.headers["x-got"]])).toEqual([
        [200, `GET /k1 0 ${createHash("sha256").digest("hex")}`],
        [404, "ERR_NGROK_3200"],
        [200, `GET /k3 0 ${createHash("sha256").digest("hex")}`],
      ]);

      await until(async () => seen.open, (open) => open === 0);
      await trafficMeter().flush(row.id);
      await meterB.flush();
      expect(meterB.unwritten(row.id)).toBeUndefined();
      const metered = await db().tunnelSession.findUniqueOrThrow({ where: { id: row.id } });
      expect({ bytesIn: metered.bytesIn, bytesOut: metered.bytesOut, requests: metered.requests }).toEqual({ bytesIn: BigInt(seen.read), bytesOut: BigInt(seen.written), requests: 4n });
      const [usage] = await db().usageDaily.findMany({ where: { accountId: account.id, principalId: bot.id } });
      expect(usage).toMatchObject({ bytesIn: metered.bytesIn, bytesOut: metered.bytesOut, tunnelRequests: 4n });

      // The holder's forwarder gone (its instance died): B answers ERR_NGROK_3200 at once, not a hang.
      await forwarderA.stop();
      const started = Date.now();
      const gone = await viaB(host, "/after");
      expect(gone.status).toBe(404);
      expect(gone.headers["ngrok-error-code"]).toBe("ERR_NGROK_3200");
      expect(Date.now() - started).toBeLessThan(2000);
      await tunnel.close();
    } finally {
      await session.close();
    }
  });
});
