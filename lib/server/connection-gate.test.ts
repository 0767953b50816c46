import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createConnectionGate, gatedListening, processConnectionCap, throttledLog } from "./connection-gate";

// Real sockets on loopback; 127.0.0.2 and 127.0.0.3 are other client addresses (Linux routes all of 127/8 to lo).
const closers: (() => Promise<void>)[] = [];
const clients: net.Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A plain server whose connections are admitted by `gate`, and how each client fares: "held" or "closed". */
async function gated(gate: ReturnType<typeof createConnectionGate>) {
  const target = new net.Server();
  const listening = gatedListening(target, gate, (socket) => socket.resume());
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => listening.close(() => resolve())));
  const port = (listening.address() as AddressInfo).port;
  return (from: string) =>
    new Promise<"held" | "closed">((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port, localAddress: from });
      clients.push(socket);
      socket.on("error", () => {});
      socket.once("close", () => resolve("closed"));
      // Held: still open a moment after connecting (a refused one is closed at once).
      socket.once("connect", () => setTimeout(() => resolve(socket.destroyed ? "closed" : "held"), 150));
    });
}

describe("connection gate", () => {
  it("closes connections over one address's share at once while another address still gets in, and over the total", async () => {
    const said: string[] = [];
    const gate = createConnectionGate({ total: 3, perAddress: 2, parent: null, name: "test listener", log: (l) => said.push(l) });
    const connect = await gated(gate);
    expect([await connect("127.0.0.2"), await connect("127.0.0.2"), await connect("127.0.0.2")]).toEqual(["held", "held", "closed"]);
    expect(await connect("127.0.0.3")).toBe("held");
    // Three held: the total is reached, for any address.
    expect(await connect("127.0.0.4")).toBe("closed");
    expect(gate.size).toBe(3);
    expect(gate.refused).toEqual({ total: 1, per_address: 1, process: 0 });
    // Refusals are said once a minute at most.
    expect(said).toEqual(["test listener: refused a connection (the latest from 127.0.0.2): that address holds the most connections one address may"]);
    // A closed connection gives its place back.
    clients[0]!.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect(gate.size).toBe(2);
    expect(await connect("127.0.0.2")).toBe("held");
  });

  it("counts every listener's connections under the parent's cap", async () => {
    const parent = createConnectionGate({ total: 2, parent: null });
    const a = await gated(createConnectionGate({ total: 10, parent }));
    const b = await gated(createConnectionGate({ total: 10, parent }));
    expect([await a("127.0.0.2"), await b("127.0.0.3"), await b("127.0.0.4"), await a("127.0.0.5")]).toEqual(["held", "held", "closed", "closed"]);
  });

  it("the process's cap: BOTDESK_MAX_CONNECTIONS, else three quarters of the open-files limit", () => {
    expect(processConnectionCap(600, 1024)).toBe(600);
    expect(processConnectionCap(undefined, 1024)).toBe(768);
    expect(processConnectionCap(undefined, 20_000)).toBe(15_000);
    expect(processConnectionCap(undefined, 1_048_576)).toBe(65_536);
    expect(processConnectionCap(undefined, undefined)).toBe(768);
  });

  it("a throttled log says the first line, then one a minute with how many it left unsaid", () => {
    const said: string[] = [];
    const say = throttledLog((l) => said.push(l), 50);
    for (let i = 0; i < 100; i++) say(`failed ${i}`);
    expect(said).toEqual(["failed 0"]);
    const until = Date.now() + 60;
    while (Date.now() < until) {
      /* wait out the window */
    }
    say("failed again");
    expect(said).toEqual(["failed 0", "failed again (and 99 more like it since the last such line)"]);
  });
});
