import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import ngrok from "@ngrok/ngrok";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuild, freePort, scratchDatabase } from "./scratch-server";
import { startLauncher, type Launcher } from "./launcher-support";
import { startDigestService, type DigestService } from "../lib/test-support/digest-service";
import { newId } from "../lib/ids";
import { issueSecret } from "../lib/domain/credentials/token-format";

/**
 * Two Botdesk instances (`npm start` each, from the built app) on ONE fresh
 * PostgreSQL database, each with its agent listener, ingress and forwarder:
 * ngrok's own agent SDK connects to instance A; a client's requests arrive at
 * instance B, which holds no agent, and are served through A (issue 19,
 * item 9). Usage is metered once, where the agent is. Then A is killed with
 * SIGKILL: B answers ERR_NGROK_3200 at once; A started again ends the session
 * its previous run left open. The database is dropped after.
 */

const REPO = process.cwd();
const AUTH_SECRET = randomBytes(24).toString("hex");
const dbName = `botdesk_forwarding_${Date.now()}_${process.pid}`;
const dataDirs: string[] = [];
let database: Awaited<ReturnType<typeof scratchDatabase>> | undefined;

/** An instance: the launcher, the address its web server answers on and its ports for agents and instances. */
interface Instance extends Launcher {
  base: string;
  agentPort: number;
  ingressPort: number;
  forwardPort: number;
}
let a: Instance;
let b: Instance;

/** `npm start` on fresh ports, or on `again`'s (the same instance started again). */
async function startInstance(again?: Instance): Promise<Instance> {
  const [port, agentPort, ingressPort, forwardPort] = again
    ? [Number(new URL(again.base).port), again.agentPort, again.ingressPort, again.forwardPort]
    : [await freePort(), await freePort(), await freePort(), await freePort()];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-forwarding-"));
  dataDirs.push(dataDir);
  const launcher = startLauncher(REPO, {
    PORT: String(port),
    DATABASE_URL: database!.url,
    BOTDESK_DATA_DIR: dataDir,
    BOTDESK_HOST: "127.0.0.1",
    AUTH_SECRET,
    BOTDESK_DEMO: "1",
    BOTDESK_ADMIN_PASSWORD: "forwarding-password-123",
    BOTDESK_SSH_PORT: "off",
    BOTDESK_TCP_PORTS: "off",
    BOTDESK_AGENT_PORT: String(agentPort),
    BOTDESK_INGRESS_PORT: String(ingressPort),
    BOTDESK_FORWARD_PORT: String(forwardPort),
  });
  return { ...launcher, base: `http://127.0.0.1:${port}`, agentPort, ingressPort, forwardPort };
}

/** Until its ingress and its agent listener have started. */
function ready(instance: Instance): Promise<void> {
  return instance.waitUntil((out) => /Ingress for tunnels on port/.test(out) && /Agent listener for ngrok's agents/.test(out), 180_000, "ingress and agent listener");
}

/** One request to an instance's ingress for `host` (by address, with a Host header), on a connection of its own. */
function viaIngress(instance: Instance, host: string, pathname: string, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: instance.ingressPort, path: pathname, method: body ? "POST" : "GET", headers: { host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

let local: DigestService;
let localPort = 0;
/** Bytes the agent's local service read and wrote: what went through the tunnel. */
let seen: DigestService["seen"];

beforeAll(async () => {
  ensureBuild(REPO);
  database = await scratchDatabase(dbName, 2);
  [a, b] = [await startInstance(), await startInstance()];
  await Promise.all([ready(a), ready(b)]);
  local = await startDigestService(5);
  localPort = local.port;
  seen = local.seen;
}, 400_000);

afterAll(async () => {
  await Promise.all([a?.stop("SIGKILL"), b?.stop("SIGKILL")]);
  await local?.close();
  await database?.drop();
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("two instances on one PostgreSQL, the request arriving at the one that does not hold the agent", () => {
  it("is served through the holder (GET, a large POST byte-exact), metered once; the holder killed, it answers ERR_NGROK_3200 at once", async () => {
    const pool = database!.pool;
    const [bot] = (await pool.query<{ id: string; account_id: string }>("SELECT id, account_id FROM principals WHERE kind = 'bot' ORDER BY id LIMIT 1")).rows;
    const credentialId = newId("authtoken");
    const secret = issueSecret("authtoken", credentialId);
    await pool.query("INSERT INTO credentials (id, account_id, kind, owner_id, secret_hash, secret_hint) VALUES ($1, $2, 'authtoken', $3, $4, $5)", [credentialId, bot!.account_id, bot!.id, secret.hash, secret.hint]);
    const ca = await (await fetch(`${a.base}/agent-ca.pem`)).text();
    // The demo's bots have a usage history: what this test carries is the difference.
    const usageOf = async (principalId: string) => {
      const [u] = (await pool.query<{ bytes_in: string; bytes_out: string; requests: string }>(
        "SELECT coalesce(sum(bytes_in), 0)::text AS bytes_in, coalesce(sum(bytes_out), 0)::text AS bytes_out, coalesce(sum(tunnel_requests), 0)::text AS requests FROM usage_daily WHERE principal_id = $1",
        [principalId],
      )).rows;
      return { bytes_in: BigInt(u!.bytes_in), bytes_out: BigInt(u!.bytes_out), requests: BigInt(u!.requests) };
    };
    const usageBefore = await usageOf(bot!.id);

    const session = await new ngrok.SessionBuilder().authtoken(secret.token).serverAddr(`127.0.0.1:${a.agentPort}`).caCert(Buffer.from(ca)).connect();
    try {
      const tunnel = await session.httpEndpoint().listenAndForward(`http://127.0.0.1:${localPort}`);
      const host = new URL(tunnel.url()!).hostname;
      const [row] = (await pool.query<{ id: string; instance_address: string }>("SELECT id, instance_address FROM tunnel_sessions WHERE credential_id = $1 AND ended_at IS NULL", [credentialId])).rows;
      expect(row!.instance_address).toBe(`127.0.0.1:${a.forwardPort}`);

      const get = await viaIngress(b, host, "/hello");
      expect(get.status).toBe(200);
      expect(get.body.toString()).toBe(`hello from ${host}`);
      expect(get.headers["x-forwarded-for-seen"]).toBe("127.0.0.1");

      const upload = randomBytes(6 * 1024 * 1024 + 11);
      const post = await viaIngress(b, host, "/upload?n=4000000", upload);
      expect(post.status).toBe(200);
      expect(post.headers["x-got"]).toBe(`POST /upload?n=4000000 ${upload.length} ${createHash("sha256").update(upload).digest("hex")}`);
      expect(post.body.equals(Buffer.alloc(4_000_000, 5))).toBe(true);

      // Metered once, where the agent is (A writes every 10 s at most): exactly the bytes the local service carried.
      while (seen.open > 0) await new Promise((r) => setTimeout(r, 50));
      const expected = { bytes_in: String(seen.read), bytes_out: String(seen.written), requests: "2" };
      const meteredRow = async () =>
        (await pool.query<{ bytes_in: string; bytes_out: string; requests: string }>("SELECT bytes_in::text, bytes_out::text, requests::text FROM tunnel_sessions WHERE id = $1", [row!.id])).rows[0]!;
      const deadline = Date.now() + 30_000;
      while ((await meteredRow()).requests === "0" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      // A double count (B metering too) would be written within B's next flush: wait past it, then compare.
      await new Promise((r) => setTimeout(r, 11_000));
      const metered = await meteredRow();
      expect(metered, `A said:\n${a.output()}\nB said:\n${b.output()}`).toEqual(expected);
      const usageNow = await usageOf(bot!.id);
      expect({ bytes_in: String(usageNow.bytes_in - usageBefore.bytes_in), bytes_out: String(usageNow.bytes_out - usageBefore.bytes_out), requests: String(usageNow.requests - usageBefore.requests) }).toEqual(expected);

      // The holder dies without a word: B finds nothing at its address and says the endpoint is offline, at once.
      await a.stop("SIGKILL");
      const started = Date.now();
      const gone = await viaIngress(b, host, "/after");
      expect(gone.status).toBe(404);
      expect(gone.headers["ngrok-error-code"]).toBe("ERR_NGROK_3200");
      expect(Date.now() - started).toBeLessThan(3000);

      // A started again at the same address ends the session its previous run left open, at once.
      a = await startInstance(a);
      await ready(a);
      const [ended] = (await pool.query<{ end_reason: string | null }>("SELECT end_reason FROM tunnel_sessions WHERE id = $1", [row!.id])).rows;
      expect(ended!.end_reason).toBe("server_stopped");
      expect(a.output()).toMatch(/ended \d+ session\(s\) a previous run at 127\.0\.0\.1:\d+ left open/);
      const stillGone = await viaIngress(b, host, "/after-restart");
      expect(stillGone.headers["ngrok-error-code"]).toBe("ERR_NGROK_3200");
    } finally {
      await session.close().catch(() => {});
    }
  }, 300_000);
});
