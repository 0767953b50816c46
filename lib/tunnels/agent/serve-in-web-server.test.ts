import ngrok from "@ngrok/ngrok";
import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { actorOf, createTestAccount, createTestBot } from "@/lib/test-support/factories";
import { createAgentTls, type AgentTls } from "@/lib/tunnels/tls/agent-tls";
import type { AgentListener } from "./agent-listener";
import { ingressUrlFor } from "@/lib/tunnels/ingress/public-url";
import { serveAgentsInThisProcess } from "./serve-in-web-server";

// The listener as `npm start` runs it: from the settings, on BOTDESK_HOST, answering with the ingress's URLs.
let tls: AgentTls | undefined;
let listener: AgentListener | undefined;
afterAll(async () => {
  await listener?.stop();
  listener?.close();
  tls?.close();
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("the agent listener from the settings", () => {
  it("listens on BOTDESK_AGENT_PORT at BOTDESK_HOST and answers binds with the ingress's URL under BOTDESK_TUNNEL_DOMAIN; stopping ends its sessions (server_stopped)", async () => {
    const port = await freePort();
    const saved = { ...process.env };
    Object.assign(process.env, { BOTDESK_AGENT_PORT: String(port), BOTDESK_HOST: "127.0.0.1", BOTDESK_TUNNEL_DOMAIN: "agents.test", BOTDESK_INGRESS_PORT: "8000" });
    try {
      await db().$executeRaw`DELETE FROM server_keys`;
      tls = await createAgentTls();
      listener = await serveAgentsInThisProcess(tls);
      expect(listener).toBeDefined();
      // Started once per process.
      expect(await serveAgentsInThisProcess(tls)).toBeUndefined();
    } finally {
      process.env = saved;
    }
    await new Promise<void>((resolve) => (listener!.listening ? resolve() : listener!.once("listening", () => resolve())));
    expect(listener!.address()).toMatchObject({ address: "127.0.0.1", port });

    const { account, owner } = await createTestAccount();
    const bot = await createTestBot(account.id);
    const created = await createCredential(actorOf(account, owner, "owner"), { kind: "authtoken", ownerId: bot.id }, { ip: null, userAgent: null });
    if (!created.ok) throw new Error(created.message);
    const session = await new ngrok.SessionBuilder().authtoken(created.data.token!).serverAddr(`127.0.0.1:${port}`).caCert(Buffer.from(tls.caPem!)).connect();
    try {
      const tunnel = await session.httpEndpoint().listenAndForward("http://127.0.0.1:9");
      expect(tunnel.url()).toMatch(/^http:\/\/[0-9a-f]{12}\.agents\.test:8000$/);
      await listener!.stop();
      const row = await db().tunnelSession.findFirstOrThrow({ where: { accountId: account.id } });
      expect(row.endReason).toBe("server_stopped");
    } finally {
      await session.close();
    }
  });

  it("says the ingress's URL: http with its port, https when it has a certificate, default ports left out", () => {
    expect(ingressUrlFor("a.t.test", { port: 8000, tls: false })).toBe("http://a.t.test:8000");
    expect(ingressUrlFor("a.t.test", { port: 80, tls: false })).toBe("http://a.t.test");
    expect(ingressUrlFor("a.t.test", { port: 443, tls: true })).toBe("https://a.t.test");
    expect(ingressUrlFor("a.t.test", { port: 8443, tls: true })).toBe("https://a.t.test:8443");
  });
});
