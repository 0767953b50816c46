import ngrok from "@ngrok/ngrok";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { serveTls } from "@/lib/test-support/tls";
import { createAgentTls, type AgentTls } from "./agent-tls";
import { makeCa } from "./certificates";

/**
 * ngrok's own agent SDK (@ngrok/ngrok 1.7.0: rustls inside) against a bare TLS
 * server with the generated certificate. Nothing speaks muxado after the
 * handshake (the server closes once the agent sends its first frames), so the
 * SDK always fails: what matters is WHERE. Trusting Botdesk's CA, it gets past
 * TLS and fails reading the Auth answer; trusting another CA it fails in the
 * TLS handshake. This is the check that rustls accepts our key type (ECDSA
 * P-256), our extensions, and the IP SAN for an IP server_addr (no SNI).
 */
let agentTls: AgentTls;
let server: Awaited<ReturnType<typeof serveTls>>;

beforeAll(async () => {
  await db().$executeRaw`DELETE FROM server_keys`;
  agentTls = await createAgentTls();
  server = await serveTls(agentTls);
});
afterAll(async () => {
  agentTls?.close();
  await server?.close();
});

async function connect(serverAddr: string, caPem: string): Promise<string> {
  try {
    const session = await new ngrok.SessionBuilder().authtoken("bdat_not_checked_here").serverAddr(serverAddr).caCert(Buffer.from(caPem)).connect();
    await session.close();
    return "connected";
  } catch (error) {
    return `${(error as { code?: string }).code ?? ""}: ${(error as Error).message ?? String(error)}`;
  }
}

describe("ngrok's agent SDK and the generated certificate", () => {
  it("trusting only Botdesk's CA, completes TLS to 127.0.0.1 (no SNI) and fails only after it, where the protocol starts", async () => {
    const before = server.servernames.length;
    const outcome = await connect(`127.0.0.1:${server.port}`, agentTls.caPem!);
    expect(outcome).not.toMatch(/tls|certificate|handshake/i);
    expect(outcome).toMatch(/failed to connect session: .*rpc/i);
    expect(server.servernames.slice(before)).toEqual([false]);
  });

  it("by name (localhost) it sends SNI and is accepted too", async () => {
    const before = server.servernames.length;
    const outcome = await connect(`localhost:${server.port}`, agentTls.caPem!);
    expect(outcome).not.toMatch(/tls|certificate|handshake/i);
    expect(server.servernames.slice(before)).toEqual(["localhost"]);
  });

  it("trusting another CA, fails in the TLS handshake (what a certificate error looks like to an agent)", async () => {
    const before = server.servernames.length;
    const other = await makeCa(new Date());
    const outcome = await connect(`127.0.0.1:${server.port}`, other.certPem);
    expect(outcome).toMatch(/tls handshake error/i);
    expect(server.servernames.slice(before)).toEqual([]);
  });
});
