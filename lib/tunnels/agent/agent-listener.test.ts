import ngrok from "@ngrok/ngrok";
import { createHash, randomBytes } from "node:crypto";
import net, { type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { reserveDomain } from "@/lib/domain/domains/reserve-domain";
import { listOnlineEndpoints } from "@/lib/domain/agent-sessions/list-online-endpoints";
import { listTunnelSessions } from "@/lib/domain/agent-sessions/list-tunnel-sessions";
import { BIG, botWithToken, DOMAIN, eventsOf, latestSession, NO_CTX, rawAuth, refusal, roundTrip, sdkSession, TCP_PORTS, until, withAgentListener } from "@/lib/test-support/ngrok-agents";
import { endpointForHost, endpointForPort } from "@/lib/tunnels/registry/live-endpoints";

// ngrok's own agent SDK (@ngrok/ngrok 1.7.0) against the listener, on a real database and real sockets:
// sessions, binds and carried bytes. Refusals, ends and limits: agent-refusals.test.ts.
const h = withAgentListener();

describe("ngrok's agent SDK connecting with a bot's authtoken", () => {
  it("starts an ngrok/v2 session with what the agent said, binds a random tunnel-domain name, and carries a request to the local service", async () => {
    const { account, bot, credentialId, token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    try {
      const row = await latestSession(account.id);
      expect(row).toMatchObject({ principalId: bot.id, credentialId, transport: "ngrok/v2", ip: "127.0.0.1", metadata: "billing worker", endedAt: null });
      expect(row!.agentVersion).toBe("1.7.0");
      expect(row!.os).not.toBe("unknown");
      // What @ngrok/ngrok 1.7.0 says in Auth: its user agent, no hostname, no client id on a first connect.
      expect(row).toMatchObject({ hostname: null, clientId: null, userAgent: expect.stringMatching(/^ngrok-javascript\/1\.7\.0 ngrok-rust\/\d+\.\d+\.\d+$/) });
      expect(["x86_64", "aarch64"]).toContain(row!.arch);
      const [started] = await eventsOf(account.id, "agent.session_started");
      expect(started).toMatchObject({ principalId: bot.id, source: "agent", subjectId: row!.id });
      expect(started!.userAgent).toMatch(/ngrok-rust/);

      const tunnel = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${h.localPort}`);
      const url = tunnel.url()!;
      expect(url).toMatch(/^http:\/\/[0-9a-f]{12}\.tunnel\.test:8000$/);
      const host = new URL(url).hostname;
      const live = endpointForHost(host)!;
      expect(live).toMatchObject({ sessionId: row!.id, accountId: account.id, principalId: bot.id, proto: "https", url });
      const stream = await live.open({ clientAddr: "203.0.113.7:51234", proto: "http" });
      const answer = await roundTrip(stream, `POST /hello?x=1 HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello`);
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      expect(answer).toContain(`local service: POST /hello?x=1 host=${host} body=hello`);
      await tunnel.close();
      await until(() => db().tunnelEndpoint.findFirstOrThrow({ where: { url } }), (e) => e.endedAt !== null);
      expect(endpointForHost(host)).toBeUndefined();
    } finally {
      await session.close();
    }
    const ended = await until(() => latestSession(account.id), (s) => s!.endedAt !== null, 8000);
    expect(ended!.endReason).toBe("agent_closed");
  });
});


describe("flow control with the real agent", () => {
  it("carries 8 MiB each way byte-exact through one Proxy stream", async () => {
    const { account, token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    try {
      const tunnel = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${h.localPort}`);
      const stream = await endpointForHost(new URL(tunnel.url()!).hostname)!.open({ clientAddr: "203.0.113.7:2", proto: "http" });
      const upload = randomBytes(8 * 1024 * 1024);
      const chunks: Buffer[] = [];
      const answered = new Promise<Buffer>((resolve, reject) => {
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.once("end", () => resolve(Buffer.concat(chunks)));
        stream.once("error", reject);
      });
      stream.write(`POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: ${upload.length}\r\nConnection: close\r\n\r\n`);
      stream.write(upload);
      const answer = await answered;
      const split = answer.indexOf("\r\n\r\n");
      const head = answer.subarray(0, split).toString();
      expect(head).toMatch(/^HTTP\/1\.1 200/);
      expect(head).toContain(`x-upload-sha256: ${createHash("sha256").update(upload).digest("hex")}`);
      expect(answer.subarray(split + 4).equals(BIG)).toBe(true);
      await tunnel.close();
    } finally {
      await session.close();
    }
    // The SDK's closed session lingers until its heartbeats are missed (1 s + 1 s here). (Closing the session with its
    // listener still open left @ngrok/ngrok 1.7.0 unable to close the next test's forward() listener: close it first.)
    await until(() => latestSession(account.id), (s) => s!.endedAt !== null);
  });
});

describe("ngrok.forward, as docs/agents.md shows it", () => {
  it("forwards with server_addr and session_ca_cert (the PEM as a string)", async () => {
    const { account, token } = await botWithToken();
    const tunnel = await ngrok.forward({ addr: h.localPort, authtoken: token, server_addr: h.serverAddr, session_ca_cert: h.agentTls.caPem! });
    try {
      expect(tunnel.url()).toMatch(/^http:\/\/[0-9a-f]{12}\.tunnel\.test:8000$/);
      const stream = await endpointForHost(new URL(tunnel.url()!).hostname)!.open({ clientAddr: "203.0.113.7:1", proto: "http" });
      expect(await roundTrip(stream, "GET /forwarded HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).toContain("local service: GET /forwarded");
    } finally {
      await tunnel.close();
      await ngrok.disconnect();
    }
    expect((await latestSession(account.id))!.transport).toBe("ngrok/v2");
  });
});

describe("binds follow the hostname rules", () => {
  it("a domain the account reserved is bound; an unreserved one is ERR_NGROK_319, another account's ERR_NGROK_320, one already online ERR_NGROK_334", async () => {
    const { account, admin, token } = await botWithToken();
    expect((await reserveDomain(admin, { domain: "*.agents-a.example" }, NO_CTX)).ok).toBe(true);
    const other = await botWithToken();
    expect((await reserveDomain(other.admin, { domain: "theirs.example" }, NO_CTX)).ok).toBe(true);
    const session = await sdkSession(h, token).connect();
    const second = await sdkSession(h, token).connect();
    try {
      const tunnel = await session.httpEndpoint().domain("app.agents-a.example").listenAndForward(`http://127.0.0.1:${h.localPort}`);
      expect(tunnel.url()).toBe("http://app.agents-a.example:8000");
      expect(endpointForHost("APP.agents-a.example:8000")?.url).toBe("http://app.agents-a.example:8000");

      const unreserved = await refusal(session.httpEndpoint().domain("nobody.example").listenAndForward(`http://127.0.0.1:${h.localPort}`));
      expect(unreserved.code).toBe("ERR_NGROK_319");
      expect(unreserved.message).toMatch(/reserve nobody\.example/);
      expect((await refusal(session.httpEndpoint().domain("theirs.example").listenAndForward(`http://127.0.0.1:${h.localPort}`))).code).toBe("ERR_NGROK_320");
      // One hostname, one endpoint: a second session of the same token is refused too.
      expect((await refusal(second.httpEndpoint().domain("app.agents-a.example").listenAndForward(`http://127.0.0.1:${h.localPort}`))).code).toBe("ERR_NGROK_334");
      expect((await eventsOf(account.id, "agent.bind_refused")).length).toBe(3);
    } finally {
      await session.close();
      await second.close();
    }
  });

  it("the ACL of the authtoken applies (ERR_NGROK_308)", async () => {
    const { admin, token } = await botWithToken(["bind:ok.agents-b.example"]);
    expect((await reserveDomain(admin, { domain: "*.agents-b.example" }, NO_CTX)).ok).toBe(true);
    const session = await sdkSession(h, token).connect();
    try {
      expect((await session.httpEndpoint().domain("ok.agents-b.example").listenAndForward(`http://127.0.0.1:${h.localPort}`)).url()).toBe("http://ok.agents-b.example:8000");
      expect((await refusal(session.httpEndpoint().domain("no.agents-b.example").listenAndForward(`http://127.0.0.1:${h.localPort}`))).code).toBe("ERR_NGROK_308");
    } finally {
      await session.close();
    }
  });

  it("a TCP endpoint gets a free port of the range, served by the registry by port", async () => {
    const { token } = await botWithToken();
    const echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const session = await sdkSession(h, token).connect();
    try {
      const tunnel = await session.tcpEndpoint().listenAndForward(`tcp://127.0.0.1:${(echo.address() as AddressInfo).port}`);
      const url = new URL(tunnel.url()!);
      expect(url.protocol).toBe("tcp:");
      expect(url.hostname).toBe(DOMAIN);
      const port = Number(url.port);
      expect(port).toBeGreaterThanOrEqual(TCP_PORTS.from);
      expect(port).toBeLessThanOrEqual(TCP_PORTS.to);
      const live = endpointForPort(port)!;
      expect(live.proto).toBe("tcp");
      const stream = await live.open({ clientAddr: "203.0.113.9:40000", proto: "tcp" });
      const echoed = new Promise<string>((resolve) => stream.once("data", (c: Buffer) => resolve(c.toString())));
      stream.write("ping over tcp");
      expect(await echoed).toBe("ping over tcp");
      stream.destroy();
      // remote_addr picks the port, within the range.
      const wanted = port === TCP_PORTS.from + 5 ? TCP_PORTS.from + 6 : TCP_PORTS.from + 5;
      const asked = await session.tcpEndpoint().remoteAddr(`${DOMAIN}:${wanted}`).listenAndForward(`tcp://127.0.0.1:${(echo.address() as AddressInfo).port}`);
      expect(asked.url()).toBe(`tcp://${DOMAIN}:${wanted}`);
      const outside = await refusal(session.tcpEndpoint().remoteAddr(`${DOMAIN}:40000`).listenAndForward(`tcp://127.0.0.1:1`));
      expect(outside.message).toContain(`tunnel.test:${TCP_PORTS.from}-${TCP_PORTS.to}`);
      await asked.close();
      await tunnel.close();
    } finally {
      await session.close();
      echo.close();
    }
  });

  it("options Botdesk would not apply (basic auth) are refused as not supported by Botdesk", async () => {
    const { account, token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    try {
      const basicAuth = await refusal(session.httpEndpoint().basicAuth("user", "a long password").listenAndForward(`http://127.0.0.1:${h.localPort}`));
      expect(basicAuth.message).toMatch(/BasicAuth is not supported by Botdesk/);
      expect(await db().tunnelEndpoint.count({ where: { accountId: account.id } })).toBe(0);
    } finally {
      await session.close();
    }
  });
});


describe("what an agent says about itself is kept with its session", () => {
  it("an agent speaking as ngrok-go: hostname, client id, user agent, OS, arch, metadata and IP stored, the dashboard's list shows them", async () => {
    const { account, admin, token } = await botWithToken();
    const auth = (extra: Record<string, unknown>, clientId = "") =>
      rawAuth(h, { Version: ["3"], ClientId: clientId, Extra: { Authtoken: token, OS: "linux", Arch: "arm64", Version: "3.18.4", UserAgent: "ngrok/3.18.4 ngrok-go/1.x", Metadata: "rack 7", HeartbeatInterval: 10e9, HeartbeatTolerance: 15e9, ...extra } });
    const first = await auth({ Hostname: "build-host-7.lan" }, "ts_said_by_the_agent");
    try {
      expect(first.answer.Error).toBeUndefined();
      const row = await latestSession(account.id);
      expect(first.answer.ClientId).toBe(row!.id);
      expect(row).toMatchObject({ hostname: "build-host-7.lan", clientId: "ts_said_by_the_agent", userAgent: "ngrok/3.18.4 ngrok-go/1.x", os: "linux", arch: "arm64", agentVersion: "3.18.4", metadata: "rack 7", ip: "127.0.0.1" });
      const [view] = (await listTunnelSessions(admin, { limit: 1 })).rows;
      expect(view).toMatchObject({ id: row!.id, hostname: "build-host-7.lan", clientId: "ts_said_by_the_agent", userAgent: "ngrok/3.18.4 ngrok-go/1.x", metadata: "rack 7" });
    } finally {
      first.close();
    }
    // Control and bidi characters are dropped; a first connect says no client id (null, not "").
    const odd = await auth({ Hostname: "evil\u202Ehost\n" });
    try {
      expect(await latestSession(account.id)).toMatchObject({ hostname: "evilhost", clientId: null });
    } finally {
      odd.close();
    }
    // Over the column's size: the Auth is refused (ERR_NGROK_107) and no session starts.
    const sessions = await db().tunnelSession.count({ where: { accountId: account.id } });
    const long = await auth({ Hostname: "h".repeat(256) });
    long.close();
    expect(long.answer.Error).toMatch(/Extra\.Hostname[\s\S]*ERR_NGROK_107/);
    expect(await db().tunnelSession.count({ where: { accountId: account.id } })).toBe(sessions);
  });
});

describe("labeled binds (BindLabeled): accepted within the authtoken's label ACL, recorded, not routed", () => {
  it("binds labels the ACL allows (key or value *), refuses others with ERR_NGROK_399, and Unbind ends the labeled endpoint", async () => {
    const { account, admin, token } = await botWithToken(["bind:edge=*", "bind:*=shared", "bind:ok.agents-l.example"]);
    const session = await sdkSession(h, token).connect();
    try {
      const listener = await session.labeledListener().label("edge", "edghts_2Abc").label("team", "shared").listen();
      const endpoint = await db().tunnelEndpoint.findUniqueOrThrow({ where: { id: listener.id() } });
      expect(endpoint).toMatchObject({ url: null, hostname: null, labels: { edge: "edghts_2Abc", team: "shared" }, endedAt: null });
      const [bound] = await eventsOf(account.id, "agent.endpoint_bound");
      expect(bound!.data).toEqual({ endpointId: endpoint.id, url: null, labels: { edge: "edghts_2Abc", team: "shared" } });
      // Listed with its session (the bot's Sessions panel), not as a public endpoint (GET /api/v1/endpoints).
      const [view] = (await listTunnelSessions(admin, { limit: 1 })).rows;
      expect(view!.endpoints).toEqual([expect.objectContaining({ id: endpoint.id, url: null, labels: { edge: "edghts_2Abc", team: "shared" } })]);
      expect((await listOnlineEndpoints(admin, { beforeId: null, limit: 10 })).rows).toEqual([]);

      const refused = await refusal(session.labeledListener().label("team", "mine").listen());
      expect(refused.code).toBe("ERR_NGROK_399");
      expect(refused.message).toMatch(/does not permit the label team=mine/);
      const [refusedEvent] = await eventsOf(account.id, "agent.bind_refused");
      expect(refusedEvent!.data).toMatchObject({ url: null, labels: { team: "mine" } });
      // Labels are bounded: 1–128 of [A-Za-z0-9_.-], at most 16.
      expect((await refusal(session.labeledListener().label("edge", "x".repeat(129)).listen())).message).toMatch(/1–128 letters/);
      const many = session.labeledListener();
      for (let i = 0; i < 17; i++) many.label(`edge${i}`, "x");
      expect((await refusal(many.listen())).message).toMatch(/at most 16 labels/);
      expect(await db().tunnelEndpoint.count({ where: { accountId: account.id } })).toBe(1);

      await listener.close();
      const ended = await until(() => db().tunnelEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } }), (e) => e.endedAt !== null);
      expect(ended.endedAt).not.toBeNull();
      const [unbound] = await eventsOf(account.id, "agent.endpoint_unbound");
      expect(unbound).toMatchObject({ source: "agent", subjectId: endpoint.sessionId });
      expect(unbound!.data).toEqual({ endpointId: endpoint.id, url: null, labels: { edge: "edghts_2Abc", team: "shared" } });
      expect((await latestSession(account.id))!.endedAt).toBeNull();
    } finally {
      await session.close();
    }
  });

  it("an authtoken without an ACL binds any labels", async () => {
    const { account, token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    try {
      const listener = await session.labeledListener().label("edge", "edghts_any").listen();
      expect(listener.labels()).toEqual({ edge: "edghts_any" });
      expect(await db().tunnelEndpoint.count({ where: { accountId: account.id, endedAt: null } })).toBe(1);
      await listener.close();
    } finally {
      await session.close();
    }
  });
});

describe("Unbind", () => {
  it("closing one listener of two ends that endpoint in the registry and the database, records agent.endpoint_unbound, and the other goes on", async () => {
    const { account, token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    try {
      const first = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${h.localPort}`);
      const second = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${h.localPort}`);
      const [one, two] = [new URL(first.url()!).hostname, new URL(second.url()!).hostname];
      const firstId = endpointForHost(one)!.endpointId;
      await first.close();
      const ended = await until(() => db().tunnelEndpoint.findUniqueOrThrow({ where: { id: firstId } }), (e) => e.endedAt !== null);
      expect(ended.endedAt).not.toBeNull();
      expect(endpointForHost(one)).toBeUndefined();
      const events = await eventsOf(account.id, "agent.endpoint_unbound");
      expect(events.map((e) => e.data)).toEqual([{ endpointId: firstId, url: first.url(), labels: {} }]);
      // The other endpoint is still bound and carries requests.
      expect(await db().tunnelEndpoint.count({ where: { accountId: account.id, endedAt: null } })).toBe(1);
      const stream = await endpointForHost(two)!.open({ clientAddr: "203.0.113.7:3", proto: "http" });
      expect(await roundTrip(stream, `GET /still HTTP/1.1\r\nHost: ${two}\r\nConnection: close\r\n\r\n`)).toContain("local service: GET /still");
      await second.close();
    } finally {
      await session.close();
    }
  });
});
