/**
 * The agent side of scripts/bench-tunnels.ts, in a process of its own so its
 * CPU and memory are not the benchmark client's: ngrok's own agent SDK
 * (@ngrok/ngrok) connected to Botdesk's agent listener, and a local HTTP
 * service for it to forward to.
 *
 *   tsx scripts/bench-tunnel-agent.ts serve <server_addr> <ca.pem> <authtoken>
 *     The local service (GET /small: 64 bytes; GET /big?mib=N: N MiB) on
 *     127.0.0.1, one session with one HTTP endpoint forwarding to it.
 *     Prints {"url", "localPort"} as one JSON line.
 *   tsx scripts/bench-tunnel-agent.ts idle <server_addr> <ca.pem> <authtoken> <n>
 *     n sessions, no endpoints, heartbeating at the SDK's default.
 *     Prints {"sessions", "rssMiB", "baseRssMiB"} as one JSON line.
 * Either way it then stays until its stdin closes (the benchmark ends it).
 */
import ngrok from "@ngrok/ngrok";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";

const [mode, serverAddr, caPath, authtoken, count] = process.argv.slice(2);
const ca = readFileSync(caPath!);
const builder = () => new ngrok.SessionBuilder().authtoken(authtoken!).serverAddr(serverAddr!).caCert(ca);
const rssMiB = () => Math.round(process.memoryUsage.rss() / 2 ** 20);
const MIB = Buffer.alloc(1024 * 1024, "botdesk bench ");
const SMALL = Buffer.alloc(64, "x");
const sessions: ngrok.Session[] = [];

if (mode === "serve") {
  const local = http.createServer((req, res) => {
    const url = new URL(req.url!, "http://local");
    if (url.pathname === "/big") {
      const mib = Number(url.searchParams.get("mib") ?? 100);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": mib * MIB.length });
      let sent = 0;
      const more = () => {
        while (sent < mib) {
          sent++;
          if (!res.write(MIB)) return void res.once("drain", more);
        }
        res.end();
      };
      more();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain", "content-length": SMALL.length }).end(SMALL);
  });
  await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
  const localPort = (local.address() as AddressInfo).port;
  const session = await builder().connect();
  sessions.push(session);
  const listener = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${localPort}`);
  console.log(JSON.stringify({ url: listener.url(), localPort }));
} else if (mode === "idle") {
  const n = Number(count);
  const baseRssMiB = rssMiB();
  // 10 connecting at a time, as a fleet of agents coming up would.
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(10, n) }, async () => {
      while (next < n) {
        next++;
        sessions.push(await builder().connect());
      }
    }),
  );
  console.log(JSON.stringify({ sessions: sessions.length, rssMiB: rssMiB(), baseRssMiB }));
} else {
  throw new Error(`unknown mode ${mode}`);
}

process.stdin.resume();
process.stdin.on("close", () => {
  void Promise.allSettled(sessions.map((s) => s.close())).then(() => process.exit(0));
});
