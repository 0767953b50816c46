// A web server process's ingress, for serve-ingress.test.ts: serves one endpoint (argv: session, account,
// principal) whose agent is a local HTTP server here, and exits on SIGTERM as Next.js does (process.exit).
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { registerEndpoint } from "@/lib/tunnels/registry/live-endpoints";
import { serveIngressInThisProcess } from "@/lib/tunnels/ingress/serve-ingress";

const [sessionId, accountId, principalId] = process.argv.slice(2) as [string, string, string];
const local = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => res.end("carried"));
});
local.listen(0, "127.0.0.1", async () => {
  const port = (local.address() as AddressInfo).port;
  registerEndpoint({
    endpointId: "ep_fixture",
    sessionId,
    accountId,
    principalId,
    proto: "http",
    hostname: "fixture.tunnel.test",
    url: "http://fixture.tunnel.test",
    open: () => new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => resolve(socket));
      socket.once("error", reject);
    }),
  });
  process.on("SIGTERM", () => process.exit(0));
  await serveIngressInThisProcess();
});
