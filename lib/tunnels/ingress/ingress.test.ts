import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { TLSSocket } from "node:tls";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { recordCarriedTraffic } from "@/lib/domain/usage/record-carried-traffic";
import { usageThisMonth } from "@/lib/domain/usage/usage-this-month";
import { createAgentSshServer } from "@/lib/ssh/agent-ssh-server";
import { botWithSshKey } from "@/lib/test-support/ssh-agents";
import { trafficMeter } from "@/lib/tunnels/metering/traffic-meter";
import { makeCa, makeServerCertificate, privateKeyPem } from "@/lib/tunnels/tls/certificates";
import { endpointForHost, endpointForPort } from "@/lib/tunnels/registry/live-endpoints";
import { createIngressServer, type IngressServer } from "./ingress-server";
import { startTcpIngress, type TcpIngress } from "./tcp-ingress";
import { generateEd25519Key } from "@/lib/ssh/ed25519-key";

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

// Real parts only: the SSH server with the real OpenSSH client's `-R`, real local HTTP servers, the ingress on a real socket, the test database.
const dir = mkdtempSync(path.join(tmpdir(), "botdesk-ingress-test-"));
let sshServer: ReturnType<typeof createAgentSshServer>;
let sshPort = 0;
let ingress: IngressServer;
let ingressPort = 0;
/** The one port of the TCP ingress's range (BOTDESK_TCP_PORTS) in this file. */
let tcpPort = 0;
let tcpIngress: TcpIngress;
const running: ChildProcess[] = [];
const locals: http.Server[] = [];
/** Every local service's open connection (upgraded ones too, which closeAllConnections does not see). */
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  tcpPort = await freePort();
  sshServer = createAgentSshServer({ hostKey: generateEd25519Key().private, domain: "tunnel.test", tcpPorts: { from: tcpPort, to: tcpPort } });
  tcpIngress = await startTcpIngress({ ports: { from: tcpPort, to: tcpPort }, host: "127.0.0.1" });
  await new Promise<void>((resolve) => sshServer.listen(0, "127.0.0.1", resolve));
  sshPort = (sshServer.address() as AddressInfo).port;
  ingress = createIngressServer();
  await new Promise<void>((resolve) => ingress.listen(0, "127.0.0.1", resolve));
  ingressPort = (ingress.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const proc of running) proc.kill("SIGKILL");
  await ingress.stop();
  await tcpIngress.stop();
  await sshServer.stop();
  for (const socket of sockets) socket.destroy();
  await Promise.all(locals.map((server) => new Promise((resolve) => server.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

/** A local service an agent exposes, named `name`; it counts the bytes its connections carried (equal to what went through the tunnel). */
async function localService(name: string) {
  const traffic = { bytesRead: 0, bytesWritten: 0, open: 0 };
  const arrived: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/echo") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      req.pipe(res);
      return;
    }
    if (url.pathname === "/big") {
      const n = Number(url.searchParams.get("n"));
      res.writeHead(200, { "content-length": String(n) });
      res.end(pattern(n));
      return;
    }
    if (url.pathname === "/chunked") {
      // No length: node's server chunks it, with a trailer.
      res.writeHead(200, { "content-type": "text/plain", trailer: "x-sum" });
      res.write("chunk one, ");
      setTimeout(() => {
        res.addTrailers({ "x-sum": "2" });
        res.end("chunk two");
      }, 5);
      return;
    }
    if (url.pathname === "/status") {
      res.writeHead(Number(url.searchParams.get("code")), { "content-length": "0" }).end();
      return;
    }
    if (url.pathname === "/until-close") {
      // An answer that only the end of the connection delimits (as an HTTP/1.0 server sends).
      req.socket.end("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nread to the end");
      return;
    }
    if (url.pathname === "/hang") {
      for (const wake of arrived.splice(0)) wake();
      return; // never answers: the test takes the agent away
    }
    req.resume();
    req.on("end", () => res.end(JSON.stringify({ name, method: req.method, path: req.url, host: req.headers.host, xff: req.headers["x-forwarded-for"], proto: req.headers["x-forwarded-proto"] })));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    traffic.open++;
    socket.on("close", () => {
      sockets.delete(socket);
      traffic.open--;
      traffic.bytesRead += socket.bytesRead;
      traffic.bytesWritten += socket.bytesWritten;
    });
  });
  server.on("upgrade", (req, socket: net.Socket) => {
    if (req.url === "/refuse") return void socket.write("HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno");
    socket.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    socket.on("data", (d: Buffer) => socket.write(`${name}:${d.toString()}`));
    socket.on("end", () => socket.end());
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  locals.push(server);
  const hanging = () => new Promise<void>((resolve) => arrived.push(resolve));
  return { port: (server.address() as AddressInfo).port, traffic, hanging };
}

function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 0xff;
  return b;
}

let controls = 0;
/** A bot with an SSH key, connected with `ssh -R 0:localhost:<port>`: its tunnel hostname, session and the ssh process. */
async function agent(localPort: number, remotePort = 0, opts: { control?: boolean } = {}) {
  const { account, admin, bot, file } = await botWithSshKey(dir);
  const controlPath = opts.control ? path.join(dir, `ctl${++controls}`) : undefined;
  const proc = spawn("ssh", [
    "-F", "/dev/null", "-i", file, "-p", String(sshPort), "-N",
    ...(controlPath ? ["-M", "-S", controlPath] : []),
    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
    "-o", "IdentitiesOnly=yes", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR",
    "-R", `${remotePort}:localhost:${localPort}`, "agent@127.0.0.1",
  ], { stdio: ["ignore", "pipe", "pipe"] });
  running.push(proc);
  const exited = new Promise<void>((resolve) => proc.on("exit", () => resolve()));
  const session = await until(
    () => db().tunnelSession.findFirst({ where: { accountId: account.id }, include: { endpoints: true } }),
    (s) => !!s && s.endpoints.length > 0 && !!(remotePort ? endpointForPort(remotePort) : endpointForHost(new URL(s.endpoints[0]!.url!).hostname)),
  );
  if (!session) throw new Error("the ssh -R agent did not bind");
  return { account, admin, bot, proc, exited, controlPath, sessionId: session.id, host: new URL(session.endpoints[0]!.url!).hostname };
}

async function until<T>(read: () => Promise<T> | T, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request to the ingress by address with a Host header (Node does not resolve *.localhost names). */
function request(host: string, pathname: string, opts: { method?: string; body?: Buffer; agent?: http.Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: ingressPort, path: pathname, method: opts.method ?? "GET", headers: { host }, agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("the ingress, carrying HTTP to ssh -R agents by Host", () => {
  it("forwards a GET and a POST by Host to the agent's local service, with X-Forwarded-For/-Proto", async () => {
    const local = await localService("a");
    const a = await agent(local.port);
    const get = await request(a.host, "/hello?x=1");
    expect(get.status).toBe(200);
    expect(JSON.parse(get.body.toString())).toMatchObject({ name: "a", method: "GET", path: "/hello?x=1", host: a.host, xff: "127.0.0.1", proto: "http" });
    const post = await request(a.host.toUpperCase(), "/echo", { method: "POST", body: Buffer.from("posted body") });
    expect(post).toMatchObject({ status: 200 });
    expect(post.body.toString()).toBe("posted body");
  });

  it("answers curl (a client nobody here wrote) through an ssh -R tunnel, as a user would try it", async () => {
    const local = await localService("curl");
    const a = await agent(local.port);
    // curl resolves *.localhost to loopback itself; --resolve pins it, so the check needs no DNS either way.
    // Not spawnSync: the ingress and the SSH server answer from this very process.
    const curl = (args: string[]) => new Promise<{ stdout: string; stderr: string }>((resolve) => execFile("curl", ["-sS", "--max-time", "10", ...args], (_e, stdout, stderr) => resolve({ stdout, stderr })));
    const posted = await curl(["--resolve", `${a.host}:${ingressPort}:127.0.0.1`, "-d", "from curl", `http://${a.host}:${ingressPort}/echo`]);
    expect(posted).toEqual({ stdout: "from curl", stderr: "" });
    const offline = await curl(["-o", "/dev/null", "-w", "%{http_code}", "--resolve", `nobody.${a.host}:${ingressPort}:127.0.0.1`, `http://nobody.${a.host}:${ingressPort}/`]);
    expect(offline.stdout).toBe("404");
  });

  it("carries multi-MiB bodies byte-exact each way, and 25 concurrent requests each to its answer", async () => {
    const local = await localService("big");
    const a = await agent(local.port);
    const upload = randomBytes(6 * 1024 * 1024);
    const echoed = await request(a.host, "/echo", { method: "POST", body: upload });
    expect(echoed.body.length).toBe(upload.length);
    expect(sha(echoed.body)).toBe(sha(upload));
    const n = 5 * 1024 * 1024 + 3;
    const down = await request(a.host, `/big?n=${n}`);
    expect(sha(down.body)).toBe(sha(pattern(n)));
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => request(a.host, `/r/${i}`)));
    expect(answers.map((r) => JSON.parse(r.body.toString()).path)).toEqual(Array.from({ length: 25 }, (_, i) => `/r/${i}`));
  });

  it("routes each request of one keep-alive connection by its own Host: two hosts pipelined on one socket reach their own agents", async () => {
    const [la, lb] = [await localService("first"), await localService("second")];
    const [a, b] = [await agent(la.port), await agent(lb.port)];
    const socket = net.connect(ingressPort, "127.0.0.1");
    let received = "";
    socket.on("data", (d: Buffer) => (received += d.toString()));
    socket.write(`GET /one HTTP/1.1\r\nHost: ${a.host}\r\n\r\nGET /two HTTP/1.1\r\nHost: ${b.host}\r\n\r\nGET /three HTTP/1.1\r\nHost: ${a.host}\r\n\r\n`);
    await until(() => received, (r) => (r.match(/HTTP\/1\.1 200/g) ?? []).length === 3);
    socket.destroy();
    const bodies = [...received.matchAll(/\{[^}]*\}/g)].map((m) => JSON.parse(m[0]) as { name: string; path: string });
    expect(bodies.map((x) => [x.name, x.path])).toEqual([["first", "/one"], ["second", "/two"], ["first", "/three"]]);
    // The same through Node's keep-alive agent: one socket, both hosts.
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const first = await request(a.host, "/k1", { agent: keepAlive });
    const second = await request(b.host, "/k2", { agent: keepAlive });
    keepAlive.destroy();
    expect([JSON.parse(first.body.toString()).name, JSON.parse(second.body.toString()).name]).toEqual(["first", "second"]);
  });

  it("finds where each answer ends (chunked, HEAD, 204, 304, until the agent closes) and keeps the client's connection for the next request, another Host's too", async () => {
    const [la, lb] = [await localService("first"), await localService("second")];
    const [a, b] = [await agent(la.port), await agent(lb.port)];
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const seen: { status: number; body: string; reused: boolean }[] = [];
    const one = (host: string, pathname: string, method = "GET") =>
      new Promise<void>((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port: ingressPort, path: pathname, method, headers: { host }, agent: keepAlive }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve(void seen.push({ status: res.statusCode!, body, reused: req.reusedSocket })));
        });
        req.on("error", reject);
        req.end();
      });
    await one(a.host, "/chunked");
    await one(a.host, "/big?n=10", "HEAD");
    await one(a.host, "/status?code=204");
    await one(a.host, "/status?code=304");
    await one(a.host, "/until-close");
    await one(b.host, "/after");
    keepAlive.destroy();
    expect(seen.map((x) => x.status)).toEqual([200, 200, 204, 304, 200, 200]);
    expect(seen.map((x) => x.body.slice(0, 30))).toEqual(["chunk one, chunk two", "", "", "", "read to the end", expect.stringContaining('"name":"second"')]);
    // One client connection carried all six: each answer's end was found.
    expect(seen.map((x) => x.reused)).toEqual([false, true, true, true, true, true]);
    // The same, pipelined on one socket: the answers come back whole and in order.
    const socket = net.connect(ingressPort, "127.0.0.1");
    let received = "";
    socket.on("data", (d: Buffer) => (received += d.toString("latin1")));
    socket.write(
      [`GET /chunked HTTP/1.1\r\nHost: ${a.host}\r\n\r\n`, `HEAD /big?n=10 HTTP/1.1\r\nHost: ${a.host}\r\n\r\n`, `GET /status?code=204 HTTP/1.1\r\nHost: ${a.host}\r\n\r\n`, `GET /two HTTP/1.1\r\nHost: ${b.host}\r\n\r\n`].join(""),
    );
    await until(() => received, (r) => r.includes("/two"));
    socket.destroy();
    expect([...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1])).toEqual(["200", "200", "204", "200"]);
    expect(received).toMatch(/chunk one, [\s\S]*chunk two[\s\S]*HTTP\/1\.1 200[\s\S]*HTTP\/1\.1 204[\s\S]*"name":"second","method":"GET","path":"\/two"/);
  });

  it("passes a WebSocket upgrade through and pipes raw after the 101", async () => {
    const local = await localService("ws");
    const a = await agent(local.port);
    const socket = net.connect(ingressPort, "127.0.0.1");
    let received = "";
    socket.on("data", (d: Buffer) => (received += d.toString()));
    socket.write(`GET /socket HTTP/1.1\r\nHost: ${a.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    await until(() => received, (r) => r.includes("\r\n\r\n"));
    expect(received).toMatch(/^HTTP\/1\.1 101 /);
    socket.write("ping");
    await until(() => received, (r) => r.includes("ws:ping"));
    expect(received.endsWith("ws:ping")).toBe(true);
    socket.destroy();
  });

  it("passes an upgrade the agent refuses as it came, then closes the connection so nothing more reaches that agent", async () => {
    const local = await localService("refusing");
    const a = await agent(local.port);
    const socket = net.connect(ingressPort, "127.0.0.1");
    let received = "";
    socket.on("data", (d: Buffer) => (received += d.toString()));
    const closed = new Promise((resolve) => socket.on("close", resolve));
    socket.write(`GET /refuse HTTP/1.1\r\nHost: ${a.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
    await until(() => received, (r) => r.endsWith("no"));
    expect(received).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    // The agent's local service keeps its side open: the ingress must not leave the client's connection to it.
    socket.write(`GET /next HTTP/1.1\r\nHost: elsewhere.tunnel.test\r\n\r\n`);
    await closed;
    expect(received).not.toContain("/next");
  });

  it("answers an unknown host ngrok's endpoint offline (404, ERR_NGROK_3200), also for an upgrade", async () => {
    const answer = await request("nobody.tunnel.test", "/");
    expect(answer.status).toBe(404);
    expect(answer.headers["ngrok-error-code"]).toBe("ERR_NGROK_3200");
    expect(answer.body.toString()).toContain("ERR_NGROK_3200");
    expect(answer.body.toString()).toContain("nobody.tunnel.test is offline");
    const socket = net.connect(ingressPort, "127.0.0.1");
    let received = "";
    socket.on("data", (d: Buffer) => (received += d.toString()));
    socket.write("GET /ws HTTP/1.1\r\nHost: nobody.tunnel.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
    await new Promise((resolve) => socket.on("close", resolve));
    expect(received).toMatch(/^HTTP\/1\.1 404 [^]*ngrok-error-code: ERR_NGROK_3200/);
    const escaped = await request("<b>.tunnel.test", "/");
    expect(escaped.body.toString()).not.toContain("<b>");
  });

  it("answers 502 when the agent cannot reach its local service", async () => {
    const a = await agent(await freePort());
    const answer = await request(a.host, "/");
    expect(answer.status).toBe(502);
    expect(answer.headers["ngrok-error-code"]).toBe("ERR_NGROK_3004");
  });

  it("answers 502 when the local service answers what is not HTTP, or a header node's server will not send", async () => {
    // A raw service: the answer depends on the path it is asked for.
    const raw = net.createServer((socket) => {
      socket.once("data", (d: Buffer) => {
        const path = d.toString("latin1").split(" ")[1];
        socket.end(path === "/garbage" ? "SSH-2.0-OpenSSH_9.2\r\n\r\n" : path === "/bad-header" ? "HTTP/1.1 200 OK\r\nX-Bad: a\u0001b\r\ncontent-length: 2\r\n\r\nok" : "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      });
      socket.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
    try {
      const a = await agent((raw.address() as AddressInfo).port);
      for (const pathname of ["/garbage", "/bad-header"]) {
        const answer = await request(a.host, pathname);
        expect([pathname, answer.status, answer.headers["ngrok-error-code"]]).toEqual([pathname, 502, "ERR_NGROK_3004"]);
      }
      expect((await request(a.host, "/fine")).body.toString()).toBe("ok");
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });

  it("answers 502 when the agent goes during a request, and 404 once its endpoint is gone", async () => {
    const local = await localService("gone");
    const a = await agent(local.port);
    const arrived = local.hanging();
    const pending = request(a.host, "/hang");
    await arrived;
    a.proc.kill("SIGKILL");
    const answer = await pending;
    expect(answer.status).toBe(502);
    expect(answer.body.toString()).toContain("went away");
    await a.exited;
    await until(() => endpointForHost(a.host), (e) => e === undefined);
    expect((await request(a.host, "/")).status).toBe(404);
    const session = await until(() => db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } }), (s) => s.endedAt !== null);
    expect(session.endReason).toBe("agent_closed");
  });
});

describe("an ssh -R forward cancelled while the connection stays", () => {
  it("stops being served (ERR_NGROK_3200) while the connection and its session go on", async () => {
    const local = await localService("cancelled");
    const a = await agent(local.port, 0, { control: true });
    expect((await request(a.host, "/")).status).toBe(200);
    const cancel = spawn("ssh", ["-F", "/dev/null", "-S", a.controlPath!, "-O", "cancel", "-R", `0:localhost:${local.port}`, "agent@127.0.0.1"], { stdio: "ignore" });
    await new Promise((resolve) => cancel.on("exit", resolve));
    await until(() => endpointForHost(a.host), (e) => e === undefined);
    expect(endpointForHost(a.host)).toBeUndefined();
    expect((await request(a.host, "/")).status).toBe(404);
    expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } })).endedAt).toBeNull();
  });
});

describe("the HTTPS ingress with an operator's wildcard certificate", () => {
  it("serves HTTP/1.1 only and routes each request by Host (not by SNI), telling the agent X-Forwarded-Proto https", async () => {
    const now = new Date();
    const ca = await makeCa(now);
    const cert = await makeServerCertificate(ca, ["*.tunnel.test"], now);
    const secure = createIngressServer({ tls: { cert: cert.certPem, key: privateKeyPem(cert.keyDer) } });
    await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
    const port = (secure.address() as AddressInfo).port;
    try {
      const [la, lb] = [await localService("tls-a"), await localService("tls-b")];
      const [a, b] = [await agent(la.port), await agent(lb.port)];
      const get = (servername: string, host: string) =>
        new Promise<{ body: string; alpn: string | false | null }>((resolve, reject) => {
          const options: https.RequestOptions & { ALPNProtocols: string[] } = { host: "127.0.0.1", port, path: "/s", servername, ca: ca.certPem, headers: { host }, agent: false, ALPNProtocols: ["h2", "http/1.1"] };
          const req = https.request(options, (res) => {
            let body = "";
            res.on("data", (d: Buffer) => (body += d.toString()));
            res.on("end", () => resolve({ body, alpn: (res.socket as TLSSocket).alpnProtocol }));
          });
          req.on("error", reject);
          req.end();
        });
      const direct = await get(a.host, a.host);
      expect(direct.alpn).toBe("http/1.1");
      expect(JSON.parse(direct.body)).toMatchObject({ name: "tls-a", proto: "https", host: a.host });
      // A connection opened for one host and reused for another reaches the other's agent.
      expect(JSON.parse((await get(a.host, b.host)).body)).toMatchObject({ name: "tls-b" });
    } finally {
      await secure.stop();
    }
  });
});

describe("metering what the ingress carried", () => {
  it("writes the bytes each way (headers included) and the requests to the session and the day's usage, equal to what the local service saw", async () => {
    const local = await localService("metered");
    const a = await agent(local.port);
    await request(a.host, "/echo", { method: "POST", body: randomBytes(300_000) });
    await request(a.host, "/big?n=123457");
    await Promise.all(Array.from({ length: 5 }, (_, i) => request(a.host, `/m/${i}`)));
    // Nothing is written per request: the counts wait in memory for the batch.
    expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } })).requests).toBe(0n);
    await until(() => local.traffic.open, (open) => open === 0);
    await trafficMeter().flush(a.sessionId);
    const session = await db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } });
    expect({ bytesIn: session.bytesIn, bytesOut: session.bytesOut, requests: session.requests }).toEqual({
      bytesIn: BigInt(local.traffic.bytesRead),
      bytesOut: BigInt(local.traffic.bytesWritten),
      requests: 7n,
    });
    expect(local.traffic.bytesRead).toBeGreaterThan(300_000);
    const [usage] = await db().usageDaily.findMany({ where: { accountId: a.account.id, principalId: a.bot.id } });
    expect(usage).toMatchObject({ bytesIn: session.bytesIn, bytesOut: session.bytesOut, tunnelRequests: 7n });
    // The session's end writes what is left.
    await request(a.host, "/last");
    await until(() => local.traffic.open, (open) => open === 0);
    a.proc.kill("SIGTERM");
    const ended = await until(() => db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } }), (s) => s.endedAt !== null && s.requests === 8n);
    expect(ended.bytesIn).toBe(BigInt(local.traffic.bytesRead));
  });

  it("saturates counters at 2^53-1 instead of overflowing, and the usage pages still read", async () => {
    const local = await localService("flood");
    const a = await agent(local.port);
    const huge = Number.MAX_SAFE_INTEGER;
    const owner = { sessionId: a.sessionId, accountId: a.account.id, principalId: a.bot.id };
    for (let i = 0; i < 3; i++) await recordCarriedTraffic([{ ...owner, bytesIn: huge, bytesOut: huge, requests: huge }]);
    const session = await db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } });
    expect([session.bytesIn, session.bytesOut, session.requests]).toEqual([BigInt(huge), BigInt(huge), BigInt(huge)]);
    const [usage] = await db().usageDaily.findMany({ where: { accountId: a.account.id } });
    expect([usage!.bytesIn, usage!.bytesOut, usage!.tunnelRequests]).toEqual([BigInt(huge), BigInt(huge), BigInt(huge)]);
    const [monthly] = await db().usageMonthly.findMany({ where: { accountId: a.account.id } });
    expect(monthly!.bytesIn).toBe(BigInt(huge));
    const month = await usageThisMonth(a.admin);
    expect(month.principals).toHaveLength(1);
    await expect(recordCarriedTraffic([{ ...owner, bytesIn: -1, bytesOut: 0, requests: 0 }])).rejects.toThrow(RangeError);
  });
});

describe("the TCP ingress", () => {
  it("pipes a connection on a bound port to the ssh -R agent's local service byte-exact, meters it exactly, and closes one on a port no agent serves", async () => {
    let seen = 0;
    const echo = net.createServer((socket) => {
      socket.on("data", (d: Buffer) => {
        seen += d.length;
        socket.write(d);
      });
      socket.on("end", () => socket.end());
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    try {
      const a = await agent((echo.address() as AddressInfo).port, tcpPort);
      expect((await db().tunnelEndpoint.findFirstOrThrow({ where: { sessionId: a.sessionId } })).url).toBe(`tcp://${a.host}:${tcpPort}`);
      const payload = randomBytes(2 * 1024 * 1024 + 17);
      const socket = net.connect(tcpPort, "127.0.0.1");
      const chunks: Buffer[] = [];
      socket.on("data", (d: Buffer) => chunks.push(d));
      socket.write(payload);
      await until(() => chunks.reduce((n, c) => n + c.length, 0), (n) => n >= payload.length);
      socket.end();
      await new Promise((resolve) => socket.on("close", resolve));
      expect(sha(Buffer.concat(chunks))).toBe(sha(payload));
      await trafficMeter().flush(a.sessionId);
      const session = await db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } });
      expect([session.bytesIn, session.bytesOut, session.requests]).toEqual([BigInt(payload.length), BigInt(payload.length), 0n]);
      expect(seen).toBe(payload.length);
      a.proc.kill("SIGTERM");
      await a.exited;
      await until(() => endpointForPort(tcpPort), (e) => e === undefined);
      const refused = net.connect(tcpPort, "127.0.0.1");
      refused.on("error", () => {});
      await new Promise((resolve) => refused.on("close", resolve));
    } finally {
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});

describe("the ingress under a flood", () => {
  it("refuses connections over its cap and closes slow half-sent heads, then serves again", async () => {
    const local = await localService("after-flood");
    const a = await agent(local.port);
    const small = createIngressServer({ limits: { maxConnections: 40, headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, checkIntervalMs: 200 } });
    await new Promise<void>((resolve) => small.listen(0, "127.0.0.1", resolve));
    const port = (small.address() as AddressInfo).port;
    try {
      const closedAt: number[] = [];
      const start = Date.now();
      const sockets = Array.from({ length: 100 }, () => {
        const s = net.connect(port, "127.0.0.1");
        s.on("error", () => {});
        s.on("close", () => closedAt.push(Date.now() - start));
        s.on("connect", () => s.write(`GET / HTTP/1.1\r\nHost: ${a.host}\r\nX-Slow: `));
        return s;
      });
      // Those over the cap go at once; the slow ones when their head times out.
      await until(() => closedAt.length, (n) => n >= 60, 3_000);
      expect(closedAt.length).toBeGreaterThanOrEqual(60);
      await until(() => closedAt.length, (n) => n === 100, 5_000);
      expect(closedAt.length).toBe(100);
      for (const s of sockets) s.destroy();
      const ok = await new Promise<number>((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: "/", headers: { host: a.host }, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        }).on("error", reject);
      });
      expect(ok).toBe(200);
      // An oversized head is refused (431), not carried.
      const big = await new Promise<number>((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: "/", headers: { host: a.host, "x-big": "x".repeat(20_000) }, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        }).on("error", reject);
      });
      expect(big).toBe(431);
      // One client address holds at most maxConnectionsPerIp connections: the rest are closed on arrival.
      const perIp = createIngressServer({ limits: { maxConnectionsPerIp: 5 } });
      await new Promise<void>((resolve) => perIp.listen(0, "127.0.0.1", resolve));
      try {
        const held = Array.from({ length: 8 }, () => net.connect((perIp.address() as AddressInfo).port, "127.0.0.1").on("error", () => {}));
        let gone = 0;
        for (const s of held) s.on("close", () => gone++);
        await until(() => gone, (n) => n >= 3, 3_000);
        await new Promise((r) => setTimeout(r, 200));
        expect(gone).toBe(3);
        for (const s of held) s.destroy();
      } finally {
        await perIp.stop();
      }
    } finally {
      await small.stop();
    }
  });
});
