import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { actorOf, createTestAccount } from "@/lib/test-support/factories";
import { agentOf } from "@/lib/test-support/agents";

const FIXTURE = path.join(import.meta.dirname, "_fixtures", "ingress-process.ts");

describe("the ingress in a web server's process", () => {
  it("says where it listens, carries traffic, and writes what it counted when the process is told to stop", async () => {
    const { account, owner } = await createTestAccount();
    const agent = await agentOf(actorOf(account, owner, "owner"));
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, agent.sessionId, account.id, agent.actor.principal.id], {
      cwd: path.resolve(import.meta.dirname, "..", "..", ".."),
      env: { ...process.env, BOTDESK_INGRESS_PORT: "0", BOTDESK_TCP_PORTS: "off", BOTDESK_HOST: "127.0.0.1", BOTDESK_LOG_FORMAT: "pretty" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /Ingress for tunnels on port (\d+) \(HTTP\): http:\/\/<name>\.tunnel\.localhost:\d+ \(listening on 127\.0\.0\.1 only/.exec(out);
          if (m) {
            clearInterval(timer);
            resolve(Number(m[1]));
          }
        }, 20);
        void exited.then(() => reject(new Error(`the process exited:\n${out}`)));
      });
      for (let i = 0; i < 3; i++) {
        const body = await new Promise<string>((resolve, reject) => {
          http.get({ host: "127.0.0.1", port, path: `/${i}`, headers: { host: "fixture.tunnel.test" }, agent: false }, (res) => {
            let b = "";
            res.on("data", (d: Buffer) => (b += d.toString()));
            res.on("end", () => resolve(b));
          }).on("error", reject);
        });
        expect(body).toBe("carried");
      }
      // Within the 10 s batch interval nothing is written yet; the stop writes it.
      expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: agent.sessionId } })).requests).toBe(0n);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const session = await db().tunnelSession.findUniqueOrThrow({ where: { id: agent.sessionId } });
      expect(session.requests).toBe(3n);
      expect(session.bytesIn).toBeGreaterThan(0n);
      expect(session.bytesOut).toBeGreaterThan(0n);
      const [usage] = await db().usageDaily.findMany({ where: { accountId: account.id, principalId: agent.actor.principal.id } });
      expect(usage).toMatchObject({ tunnelRequests: 3n, bytesIn: session.bytesIn, bytesOut: session.bytesOut });
    } finally {
      child.kill("SIGKILL");
    }
  });
});
