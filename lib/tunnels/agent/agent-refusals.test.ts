import ngrok from "@ngrok/ngrok";
import net, { type AddressInfo } from "node:net";
import tls from "node:tls";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { deleteBots } from "@/lib/domain/bots/delete-bots";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { revokeCredentials } from "@/lib/domain/credentials/revoke-credentials";
import { botWithToken, DOMAIN, eventsOf, latestSession, NO_CTX, RECHECK_MS, refusal, sdkSession, until, withAgentListener } from "@/lib/test-support/ngrok-agents";
import { endpointForHost } from "@/lib/tunnels/registry/live-endpoints";
import { createAgentListener } from "./agent-listener";

// ngrok's own agent SDK (@ngrok/ngrok 1.7.0) refused, and its sessions ended: the codes the SDK reports,
// the credential re-check, the handshake deadline, the caps. On a real database and real sockets.
const h = withAgentListener();

describe("refusals, as the SDK reports them", () => {
  it("a malformed or deleted bot's token is ERR_NGROK_107 (with why), a revoked one ERR_NGROK_300, a deactivated bot's ERR_NGROK_636", async () => {
    const malformed = await refusal(sdkSession(h, "bdat_not_a_token").connect());
    expect(malformed).toMatchObject({ code: "ERR_NGROK_107", message: expect.stringMatching(/malformed/) });
    const deleted = await botWithToken();
    expect((await deleteBots(deleted.admin, { ids: [deleted.bot.id] }, NO_CTX)).ok).toBe(true);
    expect(await refusal(sdkSession(h, deleted.token).connect())).toMatchObject({ code: "ERR_NGROK_107", message: expect.stringMatching(/well formed but invalid/) });
    const revoked = await botWithToken();
    await revokeCredentials(revoked.admin, { ids: [revoked.credentialId] }, NO_CTX);
    const revokedRefusal = await refusal(sdkSession(h, revoked.token).connect());
    expect(revokedRefusal.code).toBe("ERR_NGROK_300");
    expect(revokedRefusal.message).toMatch(/revoked/);
    const deactivated = await botWithToken();
    await setBotsActive(deactivated.admin, { ids: [deactivated.bot.id], active: false }, NO_CTX);
    expect((await refusal(sdkSession(h, deactivated.token).connect())).code).toBe("ERR_NGROK_636");
    // A refused token starts nothing; a known one's refusal is recorded for its owner.
    expect(await db().tunnelSession.count({ where: { accountId: { in: [revoked.account.id, deactivated.account.id] } } })).toBe(0);
    expect((await eventsOf(deactivated.account.id, "credential.refused")).length).toBe(1);
  });

  it("more open sessions than the cap per token is ERR_NGROK_108", async () => {
    const { token } = await botWithToken();
    const sessions = [await sdkSession(h, token).connect(), await sdkSession(h, token).connect(), await sdkSession(h, token).connect()];
    try {
      expect((await refusal(sdkSession(h, token).connect())).code).toBe("ERR_NGROK_108");
    } finally {
      for (const s of sessions) await s.close();
    }
  });
});

describe("the session ends with its credential or its connection", () => {
  it("revoking the token ends the open session at the next re-check and stops serving its endpoints", async () => {
    const { account, admin, credentialId, token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    try {
      const tunnel = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${h.localPort}`);
      const host = new URL(tunnel.url()!).hostname;
      expect(endpointForHost(host)).toBeDefined();
      const before = Date.now();
      await revokeCredentials(admin, { ids: [credentialId] }, NO_CTX);
      const ended = await until(() => latestSession(account.id), (s) => s!.endedAt !== null);
      expect(ended!.endReason).toBe("credential_refused:revoked");
      expect(Date.now() - before).toBeLessThan(RECHECK_MS * 2 + 1500);
      expect(endpointForHost(host)).toBeUndefined();
    } finally {
      await session.close();
    }
  });

  it("deactivating the bot ends the session (credential_refused:owner_deactivated)", async () => {
    const { account, admin, bot, token } = await botWithToken();
    const session = await sdkSession(h, token).connect();
    try {
      await setBotsActive(admin, { ids: [bot.id], active: false }, NO_CTX);
      const ended = await until(() => latestSession(account.id), (s) => s!.endedAt !== null);
      expect(ended!.endReason).toBe("credential_refused:owner_deactivated");
      const [event] = await eventsOf(account.id, "agent.session_ended");
      expect(event).toMatchObject({ principalId: bot.id });
    } finally {
      await session.close();
    }
  });

  it("a connection that never finishes TLS, or never authenticates, is dropped after the handshake timeout", async () => {
    const silent = net.connect(Number(h.serverAddr.split(":")[1]), "127.0.0.1");
    const closedAfter = await new Promise<number>((resolve) => {
      const start = Date.now();
      silent.on("error", () => {});
      silent.once("close", () => resolve(Date.now() - start));
    });
    expect(closedAfter).toBeLessThan(3_000);
    // TLS done, then nothing: the Auth deadline closes it (GOAWAY, then the connection).
    const quiet = tls.connect({ host: "127.0.0.1", port: Number(h.serverAddr.split(":")[1]), ca: h.agentTls.caPem! });
    quiet.on("error", () => {});
    quiet.resume();
    await new Promise((resolve) => quiet.once("secureConnect", resolve));
    const start = Date.now();
    await new Promise((resolve) => quiet.once("close", resolve));
    expect(Date.now() - start).toBeLessThan(3_000);
  });
});

describe("limits of a listener", () => {
  it("binds per minute per token (BOTDESK_AGENT_MAX_BINDS_PER_MINUTE), and a cap on connections held at once", async () => {
    const strict = createAgentListener({ tls: h.agentTls, domain: DOMAIN, publicUrl: (name) => `http://${name}:8000`, maxBindsPerMinute: 2, maxConnections: 1 });
    await new Promise<void>((resolve) => strict.listen(0, "127.0.0.1", resolve));
    const addr = `127.0.0.1:${(strict.address() as AddressInfo).port}`;
    const { token } = await botWithToken();
    const session = await new ngrok.SessionBuilder().authtoken(token).serverAddr(addr).caCert(Buffer.from(h.agentTls.caPem!)).connect();
    try {
      for (let i = 0; i < 2; i++) await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${h.localPort}`);
      const third = await refusal(session.httpEndpoint().listenAndForward(`http://127.0.0.1:${h.localPort}`));
      expect(third.message).toMatch(/more than 2 binds in a minute/);
      expect(third.code).toBe("ERR_NGROK_5001");
      // The one connection allowed is the session's: another is dropped at once.
      const extra = net.connect((strict.address() as AddressInfo).port, "127.0.0.1");
      extra.on("error", () => {});
      extra.resume();
      await new Promise((resolve) => extra.once("close", resolve));
    } finally {
      await session.close();
      await strict.stop();
      strict.close();
    }
  });
});
