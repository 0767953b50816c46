import { createHash, randomBytes } from "node:crypto";
import net, { type AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveEndpoint } from "@/lib/tunnels/registry/live-endpoints";
import { TrafficMeter } from "@/lib/tunnels/metering/traffic-meter";
import { createForwardListener, type ForwardListener } from "./forward-listener";
import { ForwardedEndpointOffline, openForwarded, parseInstanceAddress } from "./open-forwarded";
import { encodeHeader, forwardingKey, MAGIC, MAX_HEADER_BYTES, NONCE_BYTES, STATUS, type ForwardHeader } from "./protocol";

// The forwarder's two halves over real sockets: the holder's listener (forward-listener.ts) with an
// endpoint whose "agent" is a real local TCP service, and the sender (open-forwarded.ts). No database.
const KEY = forwardingKey("the-shared-auth-secret-of-these-instances");
const written: { bytesIn: number; bytesOut: number; requests: number }[] = [];
const meter = new TrafficMeter(async (batch) => void written.push(...batch));
const opened: { clientAddr: string; proto: string }[] = [];
let service: net.Server;
let servicePort = 0;
let holder: ForwardListener;
let address = "";
const refusals: string[] = [];

const endpoint: LiveEndpoint = {
  endpointId: "ep_forwarded",
  sessionId: "ts_forwarded",
  accountId: "acc_1",
  principalId: "bot_1",
  proto: "https",
  hostname: "app.tunnel.test",
  url: "https://app.tunnel.test",
  open: (conn) =>
    new Promise<Duplex>((resolve, reject) => {
      opened.push(conn);
      const socket = net.connect(servicePort, "127.0.0.1", () => resolve(socket));
      socket.once("error", reject);
    }),
};
const header = (over: Partial<ForwardHeader> = {}): ForwardHeader => ({ endpointId: "ep_forwarded", proto: "https", hostname: "app.tunnel.test", clientAddr: "203.0.113.7", ...over });

beforeAll(async () => {
  // The "agent's local service": reads everything, then answers its SHA-256 and `n` bytes (the first line asks n).
  service = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => {});
    const hash = createHash("sha256");
    let size = 0;
    socket.on("data", (c: Buffer) => {
      hash.update(c);
      size += c.length;
    });
    socket.on("end", () => socket.end(Buffer.concat([Buffer.from(`${size} ${hash.digest("hex")}\n`), Buffer.alloc(3 * 1024 * 1024, 9)])));
  });
  await new Promise<void>((resolve) => service.listen(0, "127.0.0.1", resolve));
  servicePort = (service.address() as AddressInfo).port;
  holder = createForwardListener({
    key: KEY,
    meter,
    lookup: (h) => (h.hostname === "app.tunnel.test" || h.hostname === "down.tunnel.test" ? (h.hostname === "down.tunnel.test" ? { ...endpoint, open: () => Promise.reject(new Error("agent gone")) } : endpoint) : undefined),
    limits: { headerTimeoutMs: 500 },
    log: (line) => refusals.push(line),
  });
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  address = `127.0.0.1:${(holder.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await holder?.stop();
  service?.close();
});

function readAll(stream: Duplex): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

/** A raw connection to the holder: its greeting, then whatever it sends after `send`, until it closes. */
async function raw(send: (nonce: Buffer) => Buffer | null): Promise<{ greeting: Buffer; after: Buffer; closedInMs: number }> {
  const socket = net.connect(Number(address.split(":")[1]), "127.0.0.1");
  const chunks: Buffer[] = [];
  const started = Date.now();
  let greeted = false;
  return new Promise((resolve, reject) => {
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      const all = Buffer.concat(chunks);
      if (!greeted && all.length >= MAGIC.length + NONCE_BYTES) {
        greeted = true;
        const out = send(all.subarray(MAGIC.length, MAGIC.length + NONCE_BYTES));
        if (out) socket.write(out);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const all = Buffer.concat(chunks);
      resolve({ greeting: all.subarray(0, MAGIC.length + NONCE_BYTES), after: all.subarray(MAGIC.length + NONCE_BYTES), closedInMs: Date.now() - started });
    });
  });
}

describe("the instance-to-instance forwarder", () => {
  it("pipes both ways byte-exact, hands the agent the original client's address, and meters on the holder once", async () => {
    const stream = await openForwarded(address, KEY, header());
    const upload = randomBytes(5 * 1024 * 1024 + 17);
    const back = readAll(stream);
    stream.end(upload);
    const got = await back;
    const newline = got.indexOf(10);
    expect(got.subarray(0, newline).toString()).toBe(`${upload.length} ${createHash("sha256").update(upload).digest("hex")}`);
    expect(got.subarray(newline + 1).equals(Buffer.alloc(3 * 1024 * 1024, 9))).toBe(true);
    expect(opened.at(-1)).toEqual({ clientAddr: "203.0.113.7", proto: "https" });
    await new Promise((r) => setTimeout(r, 50));
    await meter.flush();
    expect(written).toEqual([expect.objectContaining({ sessionId: "ts_forwarded", bytesIn: upload.length, bytesOut: got.length, requests: 1 })]);
  });

  it("refuses a sender with another key (the MAC), and opens nothing", async () => {
    const before = opened.length;
    const wrong = await openForwarded(address, forwardingKey("another-secret"), header()).then(
      () => "opened",
      (e: Error) => e,
    );
    expect(wrong).toBeInstanceOf(Error);
    expect(wrong).not.toBeInstanceOf(ForwardedEndpointOffline);
    expect(String((wrong as Error).message)).toMatch(/refused this instance's MAC: start every instance with the same AUTH_SECRET/);
    expect(opened.length).toBe(before);
    expect(refusals.at(-1)).toMatch(/wrong MAC/);
    // A right MAC over another nonce (a replay of another connection's) is refused as well.
    const replayed = await raw(() => encodeHeader(KEY, randomBytes(NONCE_BYTES), header()));
    expect([...replayed.after]).toEqual([STATUS.refused]);
  });

  it("refuses a header over its limit, or of the wrong shape, and closes a sender that stays silent", async () => {
    const long = await raw(() => {
      const b = Buffer.alloc(2 + MAX_HEADER_BYTES + 1 + 32);
      b.writeUInt16BE(MAX_HEADER_BYTES + 1);
      return b;
    });
    expect(long.greeting.subarray(0, 4).equals(MAGIC)).toBe(true);
    expect([...long.after]).toEqual([STATUS.refused]);
    expect(() => encodeHeader(KEY, randomBytes(NONCE_BYTES), header({ hostname: "a".repeat(MAX_HEADER_BYTES) }))).toThrow(/at most 1024/);
    const shape = await raw((nonce) => encodeHeader(KEY, nonce, { ...header(), port: 80 } as ForwardHeader));
    expect([...shape.after]).toEqual([STATUS.refused]);
    const silent = await raw(() => Buffer.from([0, 40]));
    expect(silent.after.length).toBe(0);
    expect(silent.closedInMs).toBeGreaterThanOrEqual(450);
    expect(silent.closedInMs).toBeLessThan(3000);
  });

  it("answers clearly when the endpoint is not there: not held (offline), holder gone (offline, at once), agent unreachable (not offline)", async () => {
    await expect(openForwarded(address, KEY, header({ hostname: "elsewhere.tunnel.test" }))).rejects.toBeInstanceOf(ForwardedEndpointOffline);
    await expect(openForwarded(address, KEY, header({ endpointId: "ep_moved" }))).rejects.toBeInstanceOf(ForwardedEndpointOffline);
    const down = await openForwarded(address, KEY, header({ hostname: "down.tunnel.test" })).catch((e: Error) => e);
    expect(down).toBeInstanceOf(Error);
    expect(down).not.toBeInstanceOf(ForwardedEndpointOffline);

    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const started = Date.now();
    await expect(openForwarded(`127.0.0.1:${deadPort}`, KEY, header())).rejects.toBeInstanceOf(ForwardedEndpointOffline);
    expect(Date.now() - started).toBeLessThan(1000);

    // An instance that accepts and never answers (stuck): offline after the open timeout, not a hang.
    const stuck = net.createServer(() => {});
    await new Promise<void>((resolve) => stuck.listen(0, "127.0.0.1", resolve));
    const t0 = Date.now();
    await expect(openForwarded(`127.0.0.1:${(stuck.address() as AddressInfo).port}`, KEY, header(), 300)).rejects.toBeInstanceOf(ForwardedEndpointOffline);
    expect(Date.now() - t0).toBeLessThan(2000);
    stuck.close();
  });

  it("reads instance addresses as host:port or [v6]:port", () => {
    expect(parseInstanceAddress("10.0.0.5:4480")).toEqual({ host: "10.0.0.5", port: 4480 });
    expect(parseInstanceAddress("[::1]:4480")).toEqual({ host: "::1", port: 4480 });
    expect(parseInstanceAddress("node-b.internal:4480")).toEqual({ host: "node-b.internal", port: 4480 });
    expect(parseInstanceAddress("::1:4480")).toBeNull();
    expect(parseInstanceAddress("host:0")).toBeNull();
  });
});

describe("where other instances reach this one", () => {
  it("is BOTDESK_INSTANCE_ADDRESS, else BOTDESK_HOST and the forwarder's port (loopback for every interface)", async () => {
    const { instanceAddressFor } = await import("./serve-forwarder");
    expect(instanceAddressFor("10.0.0.5:4480", undefined, 4480)).toBe("10.0.0.5:4480");
    expect(instanceAddressFor(undefined, "127.0.0.1", 4480)).toBe("127.0.0.1:4480");
    expect(instanceAddressFor(undefined, undefined, 4480, "node-a")).toBe("node-a:4480");
    // Open to the network (maybe several machines): the machine's own name, never one default for all.
    expect(instanceAddressFor(undefined, "0.0.0.0", 4481, "node-a")).toBe("node-a:4481");
    expect(instanceAddressFor(undefined, "::", 4480, "node-b")).toBe("node-b:4480");
    expect(instanceAddressFor(undefined, "10.1.2.3", 4480)).toBe("10.1.2.3:4480");
    expect(instanceAddressFor(undefined, "fd00::5", 4480)).toBe("[fd00::5]:4480");
    const { readEnv } = await import("@/lib/env");
    expect(readEnv({ BOTDESK_FORWARD_PORT: "off" }).BOTDESK_FORWARD_PORT).toBe("off");
    expect(readEnv({}).BOTDESK_FORWARD_PORT).toBe(4480);
    expect(readEnv({ BOTDESK_INSTANCE_ADDRESS: "[fd00::5]:4480" }).BOTDESK_INSTANCE_ADDRESS).toBe("[fd00::5]:4480");
    expect(() => readEnv({ BOTDESK_INSTANCE_ADDRESS: "10.0.0.5" })).toThrow(/BOTDESK_INSTANCE_ADDRESS: host:port/);
  });
});

describe("looking endpoints up in the database", () => {
  it("reads at most maxInFlight at once; beyond, answers no endpoint without a read", async () => {
    const { remoteLookup } = await import("./remote-endpoints");
    let reads = 0;
    const release: (() => void)[] = [];
    const lookup = remoteLookup({
      key: KEY,
      self: null,
      domain: "tunnel.test",
      maxInFlight: 2,
      holder: () => {
        reads += 1;
        return new Promise((resolve) => release.push(() => resolve({ endpointId: "ep_1", sessionId: "ts_1", accountId: "acc_1", principalId: "bot_1", instanceAddress: "127.0.0.1:9" })));
      },
    });
    const first = [lookup.forHost("a.tunnel.test"), lookup.forHost("b.tunnel.test")];
    expect(await lookup.forHost("c.tunnel.test")).toBeUndefined();
    expect(reads).toBe(2);
    for (const r of release) r();
    expect((await Promise.all(first)).map((e) => e?.hostname)).toEqual(["a.tunnel.test", "b.tunnel.test"]);
    // Freed: the next is read again; the instance's own address is never forwarded to.
    const own = remoteLookup({ key: KEY, self: "127.0.0.1:9", domain: "tunnel.test", holder: async () => ({ endpointId: "ep_1", sessionId: "ts_1", accountId: "acc_1", principalId: "bot_1", instanceAddress: "127.0.0.1:9" }) });
    expect(await own.forHost("a.tunnel.test")).toBeUndefined();
  });
});
