import { X509Certificate } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createAgentTls } from "@/lib/tunnels/tls/agent-tls";
import { GET } from "./route";

afterEach(() => {
  delete process.env.BOTDESK_AGENT_TLS_CERT;
  delete process.env.BOTDESK_AGENT_TLS_KEY;
});

describe("GET /agent-ca.pem", () => {
  it("answers 404 saying when the CA is made, then the CA's PEM (public, cacheable briefly), then 404 naming root_cas: \"host\" with an operator's certificate", async () => {
    await db().$executeRaw`DELETE FROM server_keys`;
    const none = await GET();
    expect(none.status).toBe(404);
    expect(none.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await none.text()).toMatch(/has not been made yet: the agent listener makes it when it first starts/);

    const agentTls = await createAgentTls();
    agentTls.close();
    const served = await GET();
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("application/x-pem-file");
    expect(served.headers.get("cache-control")).toBe("public, max-age=300");
    const pem = await served.text();
    expect(pem).toBe(agentTls.caPem);
    expect(new X509Certificate(pem).ca).toBe(true);
    expect(pem).not.toMatch(/PRIVATE KEY/);

    process.env.BOTDESK_AGENT_TLS_CERT = "/etc/ssl/agents.crt";
    process.env.BOTDESK_AGENT_TLS_KEY = "/etc/ssl/agents.key";
    const operator = await GET();
    expect(operator.status).toBe(404);
    expect(await operator.text()).toMatch(/operator's certificate for agents \(BOTDESK_AGENT_TLS_CERT\).*root_cas: "host"/);
  });
});
