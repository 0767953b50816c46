import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { stopTunnelSession } from "@/lib/domain/agent-sessions/stop-tunnel-session";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { revokeCredentials } from "@/lib/domain/credentials/revoke-credentials";
import { botWithToken, latestSession, NO_CTX, refusal, roundTrip, sdkSession, until, withAgentListener } from "@/lib/test-support/ngrok-agents";
import { stopControlListener } from "@/lib/tunnels/control/control-listener";
import { endpointForHost } from "@/lib/tunnels/registry/live-endpoints";

// Live control of ngrok's own agent (@ngrok/ngrok 1.7.0): the listener re-checks credentials once an
// HOUR here, so only the database's notification (lib/tunnels/control) can explain a session ending
// within a second.
const h = withAgentListener({ recheckMs: 3_600_000 });
afterAll(stopControlListener);

async function agentWithEndpoint() {
  const bot = await botWithToken();
  const session = await sdkSession(h, bot.token).connect();
  const tunnel = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${h.localPort}`);
  const host = new URL(tunnel.url()!).hostname;
  const row = await latestSession(bot.account.id);
  return { ...bot, session, host, sessionId: row!.id };
}

/**
 * Starts GET /endless through the agent's endpoint (the stream the ingress would open) and resolves
 * once a megabyte has arrived: `ended` then resolves with the time the transfer stopped.
 */
async function transferUnderWay(host: string): Promise<{ ended: Promise<number>; received: () => number }> {
  const stream = await endpointForHost(host)!.open({ clientAddr: "203.0.113.9:2", proto: "http" });
  let received = 0;
  const ended = new Promise<number>((resolve) => {
    stream.once("close", () => resolve(Date.now()));
    stream.once("end", () => resolve(Date.now()));
    stream.on("error", () => resolve(Date.now()));
  });
  const flowing = new Promise<void>((resolve) => {
    stream.on("data", (c: Buffer) => {
      received += c.length;
      if (received >= 1024 * 1024) resolve();
    });
  });
  stream.write(`GET /endless HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  await flowing;
  return { ended, received: () => received };
}

describe("live control of ngrok's agent", () => {
  it("deactivating the bot during a transfer ends the transfer within a second, and the endpoint with it", async () => {
    const a = await agentWithEndpoint();
    try {
      const transfer = await transferUnderWay(a.host);
      const at = Date.now();
      expect(await setBotsActive(a.admin, { ids: [a.bot.id], active: false }, NO_CTX)).toMatchObject({ ok: true });
      const stoppedAt = await Promise.race([transfer.ended, new Promise<number>((r) => setTimeout(() => r(Infinity), 5000))]);
      expect(stoppedAt - at).toBeLessThan(1000);
      expect(endpointForHost(a.host)).toBeUndefined();
      expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } })).endReason).toBe("credential_refused:owner_deactivated");
      expect((await refusal(sdkSession(h, a.token).connect())).code).toBe("ERR_NGROK_636");
    } finally {
      await a.session.close().catch(() => {});
    }
  });

  it("a stop during a transfer ends the transfer within a second", async () => {
    const a = await agentWithEndpoint();
    try {
      const transfer = await transferUnderWay(a.host);
      const at = Date.now();
      expect(await stopTunnelSession(a.admin, { id: a.sessionId }, NO_CTX)).toMatchObject({ ok: true });
      const stoppedAt = await Promise.race([transfer.ended, new Promise<number>((r) => setTimeout(() => r(Infinity), 5000))]);
      expect(stoppedAt - at).toBeLessThan(1000);
      expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } })).endReason).toBe("stopped");
    } finally {
      await a.session.close().catch(() => {});
    }
  });

  it("revoking the authtoken takes its endpoint offline within a second and ends the session; the agent's reconnect is refused (ERR_NGROK_300)", async () => {
    const a = await agentWithEndpoint();
    try {
      const live = endpointForHost(a.host)!;
      expect(await roundTrip(await live.open({ clientAddr: "203.0.113.9:1", proto: "http" }), `GET / HTTP/1.1\r\nHost: ${a.host}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 200/);
      const revoked = await revokeCredentials(a.admin, { ids: [a.credentialId] }, NO_CTX);
      expect(revoked.ok).toBe(true);
      const at = Date.now();
      await until(async () => endpointForHost(a.host), (e) => e === undefined, 2000);
      expect(endpointForHost(a.host)).toBeUndefined();
      expect(Date.now() - at).toBeLessThan(1000);
      const ended = await db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } });
      expect(ended.endReason).toBe("credential_refused:revoked");
      expect((await refusal(sdkSession(h, a.token).connect())).code).toBe("ERR_NGROK_300");
    } finally {
      await a.session.close().catch(() => {});
    }
  });

  it("a stop (the API's, by an admin) ends the session at once; the agent, its authtoken still good, comes back as a new session", async () => {
    const a = await agentWithEndpoint();
    try {
      const stopped = await stopTunnelSession(a.admin, { id: a.sessionId }, NO_CTX);
      expect(stopped).toMatchObject({ ok: true });
      const at = Date.now();
      await until(async () => endpointForHost(a.host), (e) => e === undefined, 2000);
      expect(Date.now() - at).toBeLessThan(1000);
      expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: a.sessionId } })).endReason).toBe("stopped");
      // The SDK reconnects by itself, as it does after any lost connection: a new session of the same bot.
      const again = await until(() => latestSession(a.account.id), (s) => s !== null && s.id !== a.sessionId && s.endedAt === null, 15_000);
      expect(again).toMatchObject({ principalId: a.bot.id, credentialId: a.credentialId, transport: "ngrok/v2", endedAt: null });
    } finally {
      await a.session.close().catch(() => {});
    }
  });
});
